// The baseline's submit handler, written by hand: the same consent record
// the widget sends (exact text, its SHA-256, record id, fill time), POSTed as
// JSON. Loaded with `async`, like the widget.
(() => {
  const form = document.getElementById("newsletter");
  const status = form.querySelector("[role=status]");
  const shownAt = performance.now();
  const hex = (buffer) =>
    [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const email = form.email.value.trim();
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) return (status.textContent = "メールアドレスを確認してください。");
    if (!form.consent.checked) return (status.textContent = "同意のチェックが必要です。");
    const text = document.getElementById("nl-consent").textContent;
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
    const id = new Uint8Array(18);
    crypto.getRandomValues(id);
    const record = {
      record_id: btoa(String.fromCharCode(...id)).replace(/\+/g, "-").replace(/\//g, "_"),
      form: "newsletter",
      email,
      locale: "ja",
      consent_text: text,
      consent_version: hex(digest),
      consent: true,
      topics: [...form.querySelectorAll("[name=topics]:checked")].map((box) => box.value),
      page_url: location.href,
      client_time: Date.now(),
      elapsed_ms: Math.round(performance.now() - shownAt),
      website: form.website.value,
    };
    const response = await fetch(form.action, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(record),
    });
    status.textContent = response.ok ? "登録しました。" : "登録できませんでした。";
  });
})();
