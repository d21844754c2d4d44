// The seminar site's own form handling (not part of Dōi): registration is
// sent by script and the page stays, as many sites do it.
document.getElementById("seminar-form").addEventListener("submit", (event) => {
  event.preventDefault();
  event.target.hidden = true;
  document.getElementById("registered").hidden = false;
});
