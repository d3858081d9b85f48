// A table wider than its box scrolls there (on a phone, say). While it does, the keyboard can
// reach it to scroll it, and a screen reader names it after its caption or the heading above
// it; a table that fits stays out of the tab order.
(() => {
  const name = (box) => {
    const caption = box.querySelector('caption');
    if (caption) return caption.textContent.trim();
    let before = box.previousElementSibling;
    while (before && !/^H[1-6]$/.test(before.tagName)) before = before.previousElementSibling;
    return (before || document.querySelector('h1') || document).textContent.trim();
  };
  const fit = () => document.querySelectorAll('div.table').forEach((box) => {
    if (box.scrollWidth > box.clientWidth) {
      box.tabIndex = 0;
      box.setAttribute('role', 'region');
      box.setAttribute('aria-label', name(box));
    } else {
      ['tabindex', 'role', 'aria-label'].forEach((attribute) => box.removeAttribute(attribute));
    }
  });
  fit();
  addEventListener('resize', fit);
})();
