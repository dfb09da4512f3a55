// The upload form: offer only the statement layouts of the chosen kind, and
// show a preview in place, so that the file stays chosen for the upload
// below it. Without this script the form works as plain HTML.
"use strict";
(function () {
	var kind = document.getElementById("kind"), map = document.getElementById("map");
	if (!kind || !map) return;
	var form = kind.form;

	function offer() {
		map.querySelectorAll("optgroup").forEach(function (g) {
			var fits = g.dataset.kind === "" || g.dataset.kind === kind.value;
			g.hidden = !fits;
			g.disabled = !fits;
			if (!fits && g.querySelector("option:checked")) map.value = "";
		});
	}
	kind.addEventListener("change", offer);
	offer();

	// swap replaces the page's part id with the same part of page.
	function swap(page, id) {
		var from = page.getElementById(id), to = document.getElementById(id);
		if (from && to) to.replaceChildren.apply(to, Array.from(from.childNodes));
		return !!from;
	}

	form.addEventListener("submit", function (ev) {
		var by = ev.submitter;
		if (!by || by.value !== "preview" || !window.fetch) return;
		ev.preventDefault();
		var body = new FormData(form);
		body.set("action", "preview");
		by.disabled = true;
		// The buttons named "action" hide form.action: read the attribute.
		fetch(form.getAttribute("action"), { method: "POST", body: body, credentials: "same-origin" })
			.then(function (resp) { return resp.text(); })
			.then(function (html) {
				var page = new DOMParser().parseFromString(html, "text/html");
				if (!swap(page, "preview") || !swap(page, "result")) throw new Error("not the upload page");
			})
			.catch(function () {
				// Let the browser send the form itself and show what comes back.
				var a = document.createElement("input");
				a.type = "hidden"; a.name = "action"; a.value = "preview";
				form.appendChild(a);
				form.submit();
			})
			.finally(function () { by.disabled = false; });
	});
})();
