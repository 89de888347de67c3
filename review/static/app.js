// dossier reviewer app: show where a field or a finding's evidence is on the page, and toggle the drawn layers.
"use strict";

function showMarks(kind, ref, page) {
  document.querySelectorAll(".mark.active").forEach((mark) => mark.classList.remove("active"));
  document.querySelectorAll(".record tr.selected").forEach((row) => row.classList.remove("selected"));
  const marks = document.querySelectorAll(`.mark[data-kind="${kind}"][data-ref="${CSS.escape(ref)}"]`);
  marks.forEach((mark) => mark.classList.add("active"));
  if (kind === "field") document.getElementById(`field-${ref}`)?.classList.add("selected");
  if (marks.length) {
    marks[0].scrollIntoView({ block: "center" });
  } else if (page !== undefined) {
    document.getElementById(`page-${page}`)?.scrollIntoView({ block: "start" });
  }
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-show]");
  if (!link) return;
  event.preventDefault();
  const [kind, ref] = link.dataset.show.split(":");
  showMarks(kind, ref, link.dataset.page);
});

document.addEventListener("change", (event) => {
  const box = event.target.closest("input[data-layer]");
  if (box) document.body.classList.toggle(`hide-${box.dataset.layer}`, !box.checked);
});
