// The application form: live word counts and autosave; the server checks everything again when
// the form is sent. Words in the page's language come from the form's data attributes. Each
// save answers the draft's count of saves, which the form sends on (regie.revisions).
(() => {
  const form = document.getElementById('application');
  const words = (text) => (text.trim().match(/\S+/g) || []).length;
  const label = form.dataset.words;
  function counts() {
    form.querySelectorAll('textarea[data-limit]').forEach((area) => {
      const out = form.querySelector(`[data-count-for="${area.id}"]`);
      const n = words(area.value), limit = Number(area.dataset.limit);
      out.textContent = `${n} / ${limit} ${label}`;
      out.classList.toggle('over', n > limit);
    });
    form.querySelectorAll('[data-group-count]').forEach((out) => {
      const group = out.dataset.groupCount, limit = Number(out.dataset.limit);
      let n = 0;
      form.querySelectorAll(`[data-group="${group}"]`).forEach((a) => { n += words(a.value); });
      out.textContent = `${n} / ${limit} ${label}`;
      out.classList.toggle('over', n > limit);
    });
  }
  let timer = null, saving = null;
  async function send() {
    const response = await fetch(form.dataset.autosave, {method: 'POST', body: new FormData(form),
      headers: {'X-CSRF-Token': form.elements.csrf_token.value}});
    const status = document.getElementById('autosave-status');
    if (!response.ok) {  // a field that cannot be read, or signed out: nothing saved over it
      const detail = response.headers.get('content-type') === 'application/json'
        ? `: ${(await response.json()).detail}` : '';
      status.textContent = `${form.dataset.notSaved}${detail}`;
      return;
    }
    const data = await response.json();
    form.elements.revision.value = data.revision;
    status.textContent = `${form.dataset.saved} ${data.saved_at}`;
    document.querySelector('[data-requested]').textContent = data.requested;
    data.activities.forEach((total, i) => {
      const cell = form.querySelector(`[data-activity-total="${i}"] strong`);
      if (cell) cell.textContent = total;
    });
  }
  function save() {
    saving = send().finally(() => { saving = null; });
  }
  // an hours line is priced from the rate table; only another cost has an amount to type
  form.querySelectorAll('[data-kind-for]').forEach((select) => {
    select.addEventListener('change', () => {
      const amount = form.elements[`${select.dataset.kindFor}-amount`];
      amount.readOnly = select.value === 'hours';
      if (amount.readOnly) amount.value = '';
    });
  });
  form.addEventListener('input', () => {
    counts();
    clearTimeout(timer);
    timer = setTimeout(save, 800);
  });
  form.addEventListener('submit', async (event) => {
    clearTimeout(timer);
    if (saving) {  // sent once its autosave is in, with the count that save answered
      event.preventDefault();
      const submitter = event.submitter;
      await saving;
      form.requestSubmit(submitter);
    }
  });
  counts();
})();
