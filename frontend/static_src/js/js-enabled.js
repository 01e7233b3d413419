// Loaded first thing in <body>, not deferred, so GOV.UK Frontend's JavaScript-only styles apply
// before the first paint. A file rather than an inline script: the Content Security Policy allows no inline script.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
