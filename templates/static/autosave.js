// What a draft's form (an application's, a report's) types is saved as it is typed: sent to the
// form's data-autosave 0.8 s after the last key, with the count of the draft's saves the form
// holds (regie.revisions), which each save answers. The status beside the form says when it
// saved, or why not (the reason the server gives). A form sent while a save is on its way
// waits for it, so that it carries the count that save answered. Files go with the form itself.
//   regieAutosave(form, {sendable, saved}): `sendable()` false stops the form being sent (it
//   says why) and saves what was typed; `saved(answer)` shows more of the server's answer.
window.regieAutosave = (form, {sendable = () => true, saved = () => {}} = {}) => {
  const status = document.getElementById('autosave-status');
  let timer = null, saving = null;
  async function send() {
    const body = new FormData(form);
    for (const [name, value] of [...body.entries()]) {
      if (value instanceof File) body.delete(name);
    }
    const response = await fetch(form.dataset.autosave, {method: 'POST', body,
      headers: {'X-CSRF-Token': form.elements.csrf_token.value}});
    if (!response.ok) {  // unreadable, signed out, or saved elsewhere: nothing saved over it
      const detail = response.headers.get('content-type') === 'application/json'
        ? `: ${(await response.json()).detail}` : '';
      status.textContent = `${form.dataset.notSaved}${detail}`;
      return;
    }
    const answer = await response.json();
    form.elements.revision.value = answer.revision;
    status.textContent = `${form.dataset.saved} ${answer.saved_at}`;
    saved(answer);
  }
  function save() {
    saving = send().finally(() => { saving = null; });
  }
  form.addEventListener('input', (event) => {
    if (event.target.type === 'file') return;
    clearTimeout(timer);
    timer = setTimeout(save, 800);
  });
  form.addEventListener('submit', async (event) => {
    clearTimeout(timer);
    if (!sendable()) {
      event.preventDefault();
      save();
    } else if (saving) {
      event.preventDefault();
      const submitter = event.submitter;
      await saving;
      form.requestSubmit(submitter);
    }
  });
};
