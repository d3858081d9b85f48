// The report form: its text is saved as the grantee types (autosave.js), so a closed browser or
// an expired link loses nothing typed; files are kept when the form is sent or saved. Files
// larger together than a request may be are not sent: the grantee is told to add them in
// turns. Words in the page's language come from the form's data attributes.
(() => {
  const form = document.getElementById('report');
  window.regieAutosave(form, {
    sendable: () => {
      const chosen = [...form.querySelectorAll('input[type=file]')]
        .flatMap((input) => [...input.files]);
      if (chosen.reduce((sum, file) => sum + file.size, 0) <= Number(form.dataset.requestMax)) {
        return true;
      }
      const alert = document.getElementById('files-too-large');  // Regie would refuse it all
      alert.textContent = form.dataset.filesTooLarge;
      alert.hidden = false;
      return false;
    },
  });
})();
