// Meeting page (transcription): record in the browser and upload when stopped, and follow
// the transcription progress of each recording. The page works without this script: the
// upload form posts normally and a refresh shows the progress.
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }

  function extensionFor(type) {
    if (type.indexOf("ogg") !== -1) return "ogg";
    if (type.indexOf("mp4") !== -1) return "m4a";
    return "webm";
  }

  function setUpRecorder() {
    var box = document.getElementById("recorder");
    var form = document.getElementById("upload-form");
    if (!box || !form || !window.MediaRecorder || !navigator.mediaDevices ||
        !navigator.mediaDevices.getUserMedia) {
      return;
    }
    var start = document.getElementById("record-start");
    var stop = document.getElementById("record-stop");
    var status = document.getElementById("record-status");
    var recorder = null;
    var chunks = [];
    box.hidden = false;

    function upload(blob) {
      var data = new FormData();
      data.append("csrf_token", csrfToken(form));
      data.append("file", blob, "recording." + extensionFor(blob.type || ""));
      status.textContent = status.dataset.uploading;
      fetch(form.action, {
        method: "POST", body: data, credentials: "same-origin",
        headers: {"X-CSRFToken": csrfToken(form), "Accept": "application/json"}
      }).then(function (response) {
        return response.json().then(function (body) { return {ok: response.ok, body: body}; });
      }).then(function (answer) {
        if (answer.ok && answer.body.url) {
          window.location.assign(answer.body.url);
          window.location.reload();
        } else {
          status.textContent = (answer.body.error && answer.body.error.message) ||
            status.dataset.failed;
          start.disabled = false;
        }
      }).catch(function () {
        status.textContent = status.dataset.failed;
        start.disabled = false;
      });
    }

    start.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({audio: true}).then(function (stream) {
        chunks = [];
        recorder = new MediaRecorder(stream);
        recorder.addEventListener("dataavailable", function (event) {
          if (event.data && event.data.size) chunks.push(event.data);
        });
        recorder.addEventListener("stop", function () {
          stream.getTracks().forEach(function (track) { track.stop(); });
          upload(new Blob(chunks, {type: recorder.mimeType || "audio/webm"}));
        });
        recorder.start(1000);
        start.disabled = true;
        stop.disabled = false;
        status.textContent = status.dataset.recording;
        stop.focus();
      }).catch(function () {
        status.textContent = status.dataset.denied;
      });
    });

    stop.addEventListener("click", function () {
      if (recorder && recorder.state !== "inactive") {
        stop.disabled = true;
        recorder.stop();
      }
    });
  }

  function follow(box) {
    var url = box.dataset.statusUrl;
    var bar = box.querySelector("progress");
    var text = box.querySelector(".status-text");
    function poll() {
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.json(); })
        .then(function (job) {
          if (job.finished) {
            window.location.reload();  // the page shows the outcome and the actions
            return;
          }
          if (bar) {
            bar.value = job.progress;
            bar.textContent = job.progress + "%";
          }
          if (text && job.status === "running") {
            var left = job.eta_seconds === null ? "" :
              " " + box.dataset.left.replace("%(minutes)s", Math.floor(job.eta_seconds / 60))
                .replace("%(seconds)s", String(job.eta_seconds % 60).padStart(2, "0"));
            text.textContent = box.dataset.done.replace("%(percent)s", job.progress) + left;
          }
          window.setTimeout(poll, 2000);
        })
        .catch(function () { window.setTimeout(poll, 10000); });
    }
    window.setTimeout(poll, 2000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpRecorder();
    document.querySelectorAll(".transcription-status[data-finished=false]").forEach(follow);
  });
})();
