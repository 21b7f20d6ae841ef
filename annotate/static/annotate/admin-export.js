// The admin export page's "Select all" box, bound here rather than in an
// onchange attribute, which the Content-Security-Policy refuses.
// onSelectToggleChange is django-import-export's (export_selectable_fields.js).
document.addEventListener("change", (event) => {
  if (event.target.matches(".select-toggle")) onSelectToggleChange(event); // eslint-disable-line no-undef
});
