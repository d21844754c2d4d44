//! The widget's look: one stylesheet inside each shadow root.
//!
//! Host CSS cannot reach into a shadow root, except through inherited
//! properties and the host element itself; `:host` resets the host element
//! with `!important` (which beats the page's own `!important` rules there),
//! and `.doi` sets every inherited property the widget relies on. What the
//! page *can* change is the theme, through CSS custom properties (which `all`
//! does not reset), for example `doi-form { --doi-accent: #006400 }`:
//!
//! | property | default | what it colours |
//! |---|---|---|
//! | `--doi-font` | system UI fonts | font family |
//! | `--doi-font-size` | `16px` | base size (everything scales with it) |
//! | `--doi-text` | `#1f1f1f` | text |
//! | `--doi-background` | `#ffffff` | background of the form and fields |
//! | `--doi-border` | `#767676` | field borders |
//! | `--doi-accent` | `#0b57d0` | button, ticked boxes, links |
//! | `--doi-accent-text` | `#ffffff` | text on the button |
//! | `--doi-focus` | `#0b57d0` | focus ring |
//! | `--doi-error` | `#b3261e` | error messages |
//! | `--doi-success` | `#146c2e` | confirmation message |
//! | `--doi-radius` | `6px` | corner radius |
//!
//! The defaults keep a contrast of at least 4.5:1 on white. The loader
//! adopts the sheet (`adoptedStyleSheets`) rather than putting it in a
//! `<style>` element, so a page whose Content-Security-Policy forbids inline
//! styles still shows the widget styled.

/// The stylesheet of both modes.
pub const CSS: &str = "\
:host{all:initial!important;display:block!important;visibility:visible!important;\
opacity:1!important;position:static!important;box-sizing:border-box!important;\
max-width:100%!important;margin:1em 0!important;padding:0!important;\
transform:none!important;clip-path:none!important;filter:none!important}\
.doi{box-sizing:border-box;max-width:100%;overflow-wrap:anywhere;\
font:400 var(--doi-font-size,16px)/1.5 var(--doi-font,system-ui,-apple-system,\"Segoe UI\",\
\"Hiragino Sans\",\"Noto Sans JP\",Meiryo,sans-serif);color:var(--doi-text,#1f1f1f);\
background:var(--doi-background,#fff);text-align:start;letter-spacing:normal;\
text-transform:none;text-indent:0;word-spacing:normal;white-space:normal;\
font-style:normal;cursor:auto}\
form.doi{border:1px solid var(--doi-border,#767676);border-radius:var(--doi-radius,6px);\
padding:1em 1.25em;margin:0}\
*,*::before,*::after{box-sizing:inherit}\
[hidden]{display:none!important}\
h2{font-size:1.25em;line-height:1.3;margin:0 0 .75em;font-weight:700}\
p{margin:.5em 0}\
label{display:block;font-weight:600;margin:0 0 .25em}\
.check{display:flex;gap:.5em;align-items:flex-start;font-weight:400;margin:.25em 0}\
input[type=email]{display:block;width:100%;min-height:2.75em;padding:.5em .75em;margin:0;\
font:inherit;color:inherit;background:var(--doi-background,#fff);\
border:1px solid var(--doi-border,#767676);border-radius:var(--doi-radius,6px)}\
input[aria-invalid]{border:2px solid var(--doi-error,#b3261e)}\
input[type=checkbox]{flex:none;width:1.25em;height:1.25em;margin:.15em 0 0;\
accent-color:var(--doi-accent,#0b57d0)}\
fieldset{border:0;padding:0;margin:1em 0 0;min-width:0}\
legend{font-weight:600;padding:0;margin:0 0 .25em}\
.consent{margin:1em 0 0}\
.consent label{font-weight:400;margin:0}\
.field{margin:0}\
.msg{color:var(--doi-error,#b3261e);font-weight:600;margin:.25em 0 0}\
.msg:empty{margin:0}\
.status{margin:.75em 0 0}\
.status.ok{color:var(--doi-success,#146c2e);font-weight:600}\
.status.error{color:var(--doi-error,#b3261e);font-weight:600}\
a{color:var(--doi-accent,#0b57d0);text-decoration:underline}\
button{display:inline-block;min-height:2.75em;margin:1em 0 0;padding:.5em 1.5em;\
font:inherit;font-weight:700;color:var(--doi-accent-text,#fff);\
background:var(--doi-accent,#0b57d0);border:0;border-radius:var(--doi-radius,6px);\
cursor:pointer}\
button[aria-disabled]{opacity:.7;cursor:progress}\
:focus-visible{outline:3px solid var(--doi-focus,#0b57d0);outline-offset:2px}\
.hp{position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden}\
@media (forced-colors:active){button{border:1px solid ButtonText}}";
