// The vote form (templates/cases/case_board.html): show the sanction only for a
// choice that takes one (violation found, modify) and the suspension's length only
// for a suspension. Without JavaScript every field shows and the server ignores
// what the choice does not use.
"use strict";
document.querySelectorAll("form[data-vote-form]").forEach((form) => {
  const sanction = form.querySelector("[name=sanction]");
  const months = form.querySelector("[name=suspension_months]");
  if (!sanction || !months) return;
  const row = (field) => field.closest("p") || field;
  const update = () => {
    const choice = form.querySelector("input[name=choice]:checked");
    const takesSanction = choice !== null && ["violation", "modify"].includes(choice.value);
    row(sanction).hidden = !takesSanction;
    row(months).hidden = !(takesSanction && sanction.value === "suspension");
  };
  form.addEventListener("change", update);
  update();
});
