// The admin's payment form: choosing an invoice puts its balance in the amount, unless the
// amount was typed by hand (the balance stays in the option's text and the amount's help).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  const invoice = document.getElementById("id_invoice");
  const amount = document.getElementById("id_amount");
  if (!invoice || !amount) {
    return;
  }
  let offered = amount.value;
  invoice.addEventListener("change", function () {
    const option = invoice.options[invoice.selectedIndex];
    const balance = option ? option.dataset.balance : undefined;
    if (balance !== undefined && (amount.value === "" || amount.value === offered)) {
      amount.value = balance;
      offered = balance;
    }
  });
});
