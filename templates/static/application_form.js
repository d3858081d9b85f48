// The application form: live word counts and autosave (autosave.js); the server checks
// everything again when the form is sent. Words in the page's language come from the form's
// data attributes.
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
  window.regieAutosave(form, {saved: (answer) => {  // the totals, as the server priced them
    document.querySelector('[data-requested]').textContent = answer.requested;
    answer.activities.forEach((total, i) => {
      const cell = form.querySelector(`[data-activity-total="${i}"] strong`);
      if (cell) cell.textContent = total;
    });
  }});
  // an hours line is priced from the rate table; only another cost has an amount to type
  form.querySelectorAll('[data-kind-for]').forEach((select) => {
    select.addEventListener('change', () => {
      const amount = form.elements[`${select.dataset.kindFor}-amount`];
      amount.readOnly = select.value === 'hours';
      if (amount.readOnly) amount.value = '';
    });
  });
  form.addEventListener('input', counts);
  counts();
})();
