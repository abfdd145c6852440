// Transcript editor: each segment form is posted with fetch (X-CSRFToken), the answer shown
// next to its Save button ("saved", or the 409 message with the person's text kept in the
// box); Ctrl+Enter saves the segment being edited; a segment's time plays the recording from
// there; the speed select sets the playback rate. Without this script every segment is a
// plain form and a time link opens the audio at that time.
(function () {
  "use strict";
  var list = document.getElementById("segments");
  var player = document.getElementById("player");
  var speed = document.getElementById("speed");

  if (player && speed) {
    speed.addEventListener("change", function () {
      player.playbackRate = parseFloat(speed.value) || 1;
    });
  }
  if (player && list) {
    list.addEventListener("click", function (event) {
      var link = event.target.closest("a.seek");
      if (!link) {
        return;
      }
      event.preventDefault();
      player.currentTime = parseFloat(link.getAttribute("data-start")) || 0;
      player.play();
    });
  }
  if (!list) {
    return;
  }

  function show(form, text, failed) {
    var status = form.querySelector(".save-status");
    status.textContent = text;
    status.classList.toggle("text-danger", !!failed);
    status.classList.toggle("text-success", !failed);
  }

  // The save cleared the "check this" mark: drop the note, its box and the reference to it.
  function uncheck(form) {
    var item = form.closest("li.segment");
    var note = item.querySelector(".doubt-note");
    var box = form.querySelector('[name="checked"]');
    var text = form.querySelector("textarea");
    if (note) {
      var described = (text.getAttribute("aria-describedby") || "").split(" ")
        .filter(function (id) { return id && id !== note.id; });
      if (described.length) {
        text.setAttribute("aria-describedby", described.join(" "));
      } else {
        text.removeAttribute("aria-describedby");
      }
      note.remove();
    }
    if (box) {
      box.closest(".form-check").remove();
    }
    item.classList.remove("segment-doubtful");
  }

  function save(form) {
    var data = new FormData(form);
    show(form, list.getAttribute("data-saving"), false);
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: {"Accept": "application/json", "X-CSRFToken": data.get("csrf_token")}
    }).then(function (response) {
      return response.json().then(function (body) { return {status: response.status, body: body}; });
    }).then(function (answer) {
      var body = answer.body;
      if (answer.status === 200) {
        form.querySelector('[name="version"]').value = body.segment.version;
        if (!body.segment.doubtful) {
          uncheck(form);
        }
        show(form, body.message, false);
        return;
      }
      var message = body.error ? body.error.message : list.getAttribute("data-failed");
      if (answer.status === 409 && body.current && body.current.text !== undefined) {
        // The person's text stays in the box; the next save, after comparing, replaces
        // the current text knowingly.
        message += " — " + body.current.text;
        form.querySelector('[name="version"]').value = body.current.version;
      }
      show(form, message, true);
    }).catch(function () {
      show(form, list.getAttribute("data-failed"), true);
    });
  }

  list.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("segment-form")) {
      return;
    }
    event.preventDefault();
    save(form);
  });
  list.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      var form = event.target.closest("form.segment-form");
      if (form) {
        event.preventDefault();
        save(form);
      }
    }
  });
}());
