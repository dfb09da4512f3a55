// The upload desk: take the day's files dropped on the page or chosen at
// once, ask the server which kind each one holds and let the clerk choose
// where it cannot tell, send them in upload order; offer only the statement
// layouts of the chosen kind; show a preview in place, so that the files
// stay chosen for the upload below it; after an upload, follow the
// dashboard's rebuild until it includes the upload. Without this script the
// form works as plain HTML (the server recognises each file's kind itself).
"use strict";
(function () {
	var kind = document.getElementById("kind"), map = document.getElementById("map");
	if (kind && map) {
		var offer = function () {
			map.querySelectorAll("optgroup").forEach(function (g) {
				var fits = g.dataset.kind === "" || kind.value === "auto" || g.dataset.kind === kind.value;
				g.hidden = !fits;
				g.disabled = !fits;
				if (!fits && g.querySelector("option:checked")) map.value = "";
			});
		};
		kind.addEventListener("change", offer);
		offer();
	}
	var form = kind && kind.form;
	if (form) {
		files(form);
		previewInPlace(form);
	}
	follow(document.getElementById("publish"));

	// files lists the chosen files in upload order, each with its kind.
	function files(form) {
		var input = document.getElementById("file"), box = document.getElementById("files"),
			list = document.getElementById("file-list"), kinds = document.getElementById("kinds"),
			drop = document.getElementById("drop"), missing = document.getElementById("files-missing");
		if (!input || !box || !list || !kinds || !window.fetch || !window.DataTransfer) return;
		var t = box.dataset, order = [], names = {}, entries = [];
		Array.from(kind.options).forEach(function (o) {
			if (o.value === "auto") return;
			order.push(o.value);
			names[o.value] = o.textContent;
		});
		var place = function (k) { var i = order.indexOf(k); return i < 0 ? order.length : i; };

		// sync puts the files into the input in upload order, with their kinds.
		function sync() {
			entries = entries.map(function (e, i) { return [e, i]; })
				.sort(function (a, b) { return place(a[0].kind) - place(b[0].kind) || a[1] - b[1]; })
				.map(function (x) { return x[0]; });
			var dt = new DataTransfer();
			entries.forEach(function (e) { dt.items.add(e.file); });
			input.files = dt.files;
			kinds.value = entries.map(function (e) { return e.kind; }).join(",");
			render();
		}

		function render() {
			box.hidden = entries.length === 0;
			list.replaceChildren();
			entries.forEach(function (e) {
				var li = document.createElement("li");
				li.dataset.kind = e.kind;
				li.className = "file " + e.state;
				var name = document.createElement("span");
				name.className = "name";
				name.textContent = e.file.name;
				var sel = document.createElement("select");
				sel.setAttribute("aria-label", e.file.name);
				var none = document.createElement("option");
				none.value = "";
				none.textContent = t.tChoose;
				sel.appendChild(none);
				order.forEach(function (k) {
					var o = document.createElement("option");
					o.value = k;
					o.textContent = names[k];
					if (e.candidates.length && e.candidates.indexOf(k) < 0) o.className = "unlikely";
					sel.appendChild(o);
				});
				sel.value = e.kind;
				sel.disabled = e.state === "checking";
				sel.addEventListener("change", function () {
					e.kind = sel.value;
					e.state = "chosen";
					sync();
				});
				var note = document.createElement("span");
				note.className = "note";
				note.textContent = { checking: t.tChecking, detected: t.tDetected, ask: t.tAsk, unread: t.tUnread }[e.state] || "";
				li.append(name, sel, note);
				list.appendChild(li);
			});
		}

		// detect asks the server which kind each file holds; text files send
		// only their head, where the header is.
		function detect(batch) {
			var body = new FormData();
			batch.forEach(function (e) {
				var f = e.file, whole = /\.xlsx?$/i.test(f.name);
				body.append("file", whole ? f : f.slice(0, 256 * 1024, f.type), f.name);
			});
			return fetch(t.detect, { method: "POST", body: body, credentials: "same-origin" })
				.then(function (resp) {
					if (!resp.ok) throw new Error("detect: " + resp.status);
					return resp.json();
				})
				.then(function (answer) {
					(answer.files || []).forEach(function (d, i) {
						var e = batch[i];
						if (!e) return;
						e.candidates = d.candidates || [];
						if (d.error) e.state = "unread";
						else if (d.kind) { e.kind = d.kind; e.state = "detected"; }
						else e.state = "ask";
					});
				})
				.catch(function () {
					batch.forEach(function (e) { if (e.state === "checking") e.state = "ask"; });
				})
				.finally(sync);
		}

		function take(chosen) {
			entries = chosen.map(function (f) { return { file: f, kind: "", state: "checking", candidates: [] }; });
			if (missing) missing.hidden = true;
			sync();
			if (entries.length) detect(entries.slice());
		}
		input.addEventListener("change", function () { take(Array.from(input.files)); });
		if (drop) {
			["dragenter", "dragover"].forEach(function (ev) {
				drop.addEventListener(ev, function (e) { e.preventDefault(); drop.classList.add("over"); });
			});
			drop.addEventListener("dragleave", function () { drop.classList.remove("over"); });
			drop.addEventListener("drop", function (e) {
				e.preventDefault();
				drop.classList.remove("over");
				if (e.dataTransfer && e.dataTransfer.files.length) take(Array.from(e.dataTransfer.files));
			});
		}
		form.addEventListener("submit", function (ev) {
			var by = ev.submitter;
			if (by && by.value === "preview") return;
			var unknown = kind.value === "auto" && entries.some(function (e) { return !e.kind; });
			if (unknown && missing) {
				ev.preventDefault();
				missing.hidden = false;
				missing.scrollIntoView({ block: "center" });
			}
		});
	}

	// previewInPlace shows the preview without leaving the page.
	function previewInPlace(form) {
		// swap replaces the page's part id with the same part of page.
		function swap(page, id) {
			var from = page.getElementById(id), to = document.getElementById(id);
			if (from && to) to.replaceChildren.apply(to, Array.from(from.childNodes));
			return !!from;
		}
		form.addEventListener("submit", function (ev) {
			var by = ev.submitter;
			if (!by || by.value !== "preview" || !window.fetch || ev.defaultPrevented) return;
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
	}

	// follow asks the server how the dashboard's rebuild stands until the
	// published build includes the upload.
	function follow(note) {
		if (!note || note.classList.contains("done") || !window.fetch) return;
		var state = note.querySelector(".state"), seq = Number(note.dataset.seq), t = note.dataset;
		function ask() {
			fetch("/api/v1/publish/status", { credentials: "same-origin", headers: { Accept: "application/json" } })
				.then(function (resp) { return resp.json(); })
				.then(function (st) {
					if (st.state === "none") {
						state.textContent = t.tNone;
						return;
					}
					if (st.published_at && st.includes_batches >= seq) {
						// published_at is written in the organisation's zone: its clock time is HH:MM at 11-16.
						state.textContent = t.tPublished.replace("{time}", st.published_at.slice(11, 16)).replace("{zone}", st.zone);
						note.classList.add("done");
						return;
					}
					state.textContent = st.state === "failed" ? t.tFailed : t.tPublishing;
					setTimeout(ask, 2000);
				})
				.catch(function () { setTimeout(ask, 5000); });
		}
		ask();
	}
})();
