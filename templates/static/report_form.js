// The report form: its text is saved as the grantee types, so a closed browser or an expired
// link loses nothing typed; files are kept when the form is sent or saved. Words in the page's
// language come from the form's data attributes. Files larger together than a request may
// be are not sent: the grantee is told to add them in turns.
(() => {
  const form = document.getElementById('report');
  const status = document.getElementById('autosave-status');
  let timer = null;
  async function save() {
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
    status.textContent = `${form.dataset.saved} ${(await response.json()).saved_at}`;
  }
  form.addEventListener('input', (event) => {
    if (event.target.type === 'file') return;
    clearTimeout(timer);
    timer = setTimeout(save, 800);
  });
  form.addEventListener('submit', (event) => {
    clearTimeout(timer);
    const files = [...form.querySelectorAll('input[type=file]')].flatMap((input) => [...input.files]);
    if (files.reduce((sum, file) => sum + file.size, 0) > Number(form.dataset.requestMax)) {
      event.preventDefault();  // Regie would refuse the whole form: say so before sending it
      const alert = document.getElementById('files-too-large');
      alert.textContent = form.dataset.filesTooLarge;
      alert.hidden = false;
      save();
    }
  });
})();
