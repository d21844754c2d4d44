// Shows the widget's `doi:consent` event, as a host page might use it.
document.addEventListener("doi:consent", (event) => {
  const { form, status, double_opt_in: doubleOptIn } = event.detail;
  const line = document.getElementById("consent-events");
  if (line) line.textContent = `doi:consent — form ${form}, status ${status}${doubleOptIn ? " (confirmation mail sent)" : ""}`;
});
