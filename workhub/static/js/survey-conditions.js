// Conditional questions on the survey answer page: a question marked
// data-show-if="<key>" data-show-if-option="<option>" is hidden while question <key> does
// not hold that option. Only a convenience: without this script every question is shown
// with a note saying when to answer it, and the server drops answers to hidden questions.
(function () {
  "use strict";
  var form = document.querySelector(".survey-answer-form");
  if (!form) {
    return;
  }
  var blocks = Array.prototype.slice.call(form.querySelectorAll("[data-show-if]"));

  function chosen(key) {
    var inputs = form.querySelectorAll('[name="q-' + key + '"]');
    var values = [];
    Array.prototype.forEach.call(inputs, function (input) {
      if ((input.type === "radio" || input.type === "checkbox") ? input.checked : input.value) {
        values.push(input.value);
      }
    });
    return values;
  }

  function shown(block, seen) {
    var key = block.getAttribute("data-show-if");
    var parent = document.getElementById("q-" + key + "-block");
    if (parent && parent.hasAttribute("data-show-if") && seen.indexOf(key) === -1) {
      if (!shown(parent, seen.concat([key]))) {
        return false;
      }
    }
    return chosen(key).indexOf(block.getAttribute("data-show-if-option")) !== -1;
  }

  function update() {
    blocks.forEach(function (block) {
      block.hidden = !shown(block, []);
    });
  }

  form.addEventListener("change", update);
  update();
})();
