// The upload form: offer only the statement layouts of the chosen kind.
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
})();
