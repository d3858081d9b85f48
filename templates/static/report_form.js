// The report form: its text is saved as the grantee types, so a closed browser or an expired
// link loses nothing typed; files are kept when the form is sent or saved. Words in the page's
// language come from the form's data attributes. Each save answers the draft's count of saves,
// which the form sends on (regie.revisions): a colleague's save in between is not replaced
// unseen. Files larger together than a request may be are not sent: the grantee is told to add
// them in turns.
(() => {
  const form = document.getElementById('report');
  const status = document.getElementById('autosave-status');
  let timer = null, saving = null;
  async function send() {
    const body = new FormData(form);
    for (const [name, value] of [...body.entries()]) {
      if (value instanceof File) body.delete(name);  // files go with the form itself
    }
    const response = await fetch(form.dataset.autosave, {method: 'POST', body,
      headers: {'X-CSRF-Token': form.elements.csrf_token.value}});
    if (!response.ok) {
      const detail = response.headers.get('content-type') === 'application/json'
        ? `: ${(await response.json()).detail}` : '';
      status.textContent = `${form.dataset.notSaved}${detail}`;
      return;
    }
    const data = await response.json();
    form.elements.revision.value = data.revision;
    status.textContent = `${form.dataset.saved} ${data.saved_at}`;
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
    const files = [...form.querySelectorAll('input[type=file]')].flatMap((input) => [...input.files]);
    if (files.reduce((sum, file) => sum + file.size, 0) > Number(form.dataset.requestMax)) {
      event.preventDefault();  // Regie would refuse the whole form: say so before sending it
      const alert = document.getElementById('files-too-large');
      alert.textContent = form.dataset.filesTooLarge;
      alert.hidden = false;
      save();
    } else if (saving) {  // sent once its autosave is in, with the count that save answered
      event.preventDefault();
      const submitter = event.submitter;
      await saving;
      form.requestSubmit(submitter);
    }
  });
})();
