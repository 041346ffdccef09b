/* shipdesk: small behaviours on top of server-rendered pages. Every page works without it. */
(function () {
  "use strict";

  // --- IMEI / serial number fields -------------------------------------------------------
  // Same rules as shipdesk.orders.imei: scanners add spaces, dashes, slashes and dots;
  // digits are an IMEI (15 digits, Luhn check digit), anything else a serial number.
  function normalise(value) {
    return value.replace(/[\s\-\/.]/g, "");
  }

  function luhnOk(digits) {
    var total = 0;
    for (var i = 0; i < digits.length; i++) {
      var d = Number(digits.charAt(digits.length - 1 - i));
      if (i % 2 === 1) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      total += d;
    }
    return total % 10 === 0;
  }

  function checkIdentifier(value) {
    var v = normalise(value);
    if (!v) return { state: "empty" };
    if (!/^\d+$/.test(v)) return { state: "serial" };
    if (v.length > 15) return { state: "invalid", reason: "length", count: v.length };
    if (v.length < 15) return { state: "partial", count: v.length };
    return luhnOk(v) ? { state: "ok" } : { state: "invalid", reason: "luhn" };
  }

  function message(list, key, count) {
    return (list.dataset[key] || "").replace("{count}", String(count));
  }

  function showCheck(input, result, submitting) {
    var list = input.closest("[data-units]");
    var status = input.parentElement.querySelector("[data-unit-status]");
    var invalid = result.state === "invalid" || (submitting && result.state === "partial");
    input.setAttribute("aria-invalid", invalid ? "true" : "false");
    input.closest(".unit").classList.toggle("unit-error", invalid);
    if (!status || !list) return;
    if (result.state === "invalid" && result.reason === "luhn") {
      status.textContent = message(list, "msgLuhn");
    } else if (invalid) {
      status.textContent = message(list, "msgLength", result.count);
    } else if (result.state === "partial") {
      status.textContent = message(list, "msgPartial", result.count);
    } else if (result.state === "ok") {
      status.textContent = message(list, "msgValid");
    } else {
      status.textContent = "";
    }
  }

  function nextField(input) {
    var fields = Array.prototype.slice.call(
      document.querySelectorAll("[data-units] input[data-identifier]:not([readonly])")
    );
    var index = fields.indexOf(input);
    if (index >= 0 && index + 1 < fields.length) return fields[index + 1];
    return document.getElementById("id_tracking_number");
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[data-identifier]")) {
      showCheck(input, checkIdentifier(input.value), false);
    }
  });

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key !== "Enter" || !input.matches) return;
    if (input.matches("input[data-identifier]")) {
      event.preventDefault();
      var result = checkIdentifier(input.value);
      if (result.state === "invalid" || result.state === "partial") {
        showCheck(input, result, true);
        input.select();
        return;
      }
      var next = nextField(input);
      if (result.state !== "empty" && !input.readOnly) {
        input.form.requestSubmit();
      }
      if (next) next.focus();
    } else if (input.matches("input[data-scan-next]")) {
      // Scanners end with Enter: go to the next tracking number instead of submitting.
      event.preventDefault();
      var inputs = Array.prototype.slice.call(document.querySelectorAll("input[data-scan-next]"));
      var following = inputs[inputs.indexOf(input) + 1];
      if (following) {
        following.focus();
      } else {
        var submit = input.form.querySelector("button[type=submit]");
        if (submit) submit.focus();
      }
    }
  });

  // --- Bulk selection on the orders page -------------------------------------------------
  function setUpBulk(form) {
    var all = form.querySelector("[data-select-all]");
    var count = form.querySelector("[data-selected-count]");
    var boxes = function () {
      return Array.prototype.slice.call(form.querySelectorAll('input[type=checkbox][name="ids"]'));
    };
    function update() {
      var list = boxes();
      var selected = list.filter(function (b) { return b.checked; }).length;
      if (all) {
        all.checked = selected > 0 && selected === list.length;
        all.indeterminate = selected > 0 && selected < list.length;
      }
      if (count) {
        count.textContent = selected
          ? (count.dataset.some || "{count}").replace("{count}", String(selected))
          : count.dataset.none || "";
      }
      form.querySelectorAll("[data-needs-selection]").forEach(function (button) {
        button.disabled = selected === 0;
      });
    }
    if (all) {
      all.addEventListener("change", function () {
        boxes().forEach(function (b) { b.checked = all.checked; });
        update();
      });
    }
    form.addEventListener("change", function (event) {
      if (event.target.name === "ids") update();
    });
    update();
  }

  // --- Confirmations ----------------------------------------------------------------------
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // --- The pack station -------------------------------------------------------------------
  // A scanner types the code and Enter; the page answers in colour and with a sound made
  // here (Web Audio: no sound file): a short beep for a good scan, a low double buzz for a
  // refused one, three rising notes when the order is shipped.
  var SOUNDS = {
    ok: [[880, 0, 0.09, "sine"]],
    waiting: [[660, 0, 0.09, "sine"]],
    refused: [[196, 0, 0.25, "square"], [147, 0.3, 0.35, "square"]],
    done: [[523, 0, 0.12, "sine"], [659, 0.12, 0.12, "sine"], [784, 0.24, 0.25, "sine"]]
  };
  var audio = null;

  function play(result) {
    var notes = SOUNDS[result];
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!notes || !Context) return;
    try {
      audio = audio || new Context();
      if (audio.state === "suspended") audio.resume();
      var start = audio.currentTime;
      notes.forEach(function (note) {
        var tone = audio.createOscillator();
        var volume = audio.createGain();
        tone.type = note[3];
        tone.frequency.value = note[0];
        volume.gain.setValueAtTime(0.25, start + note[1]);
        volume.gain.exponentialRampToValueAtTime(0.0001, start + note[1] + note[2]);
        tone.connect(volume);
        volume.connect(audio.destination);
        tone.start(start + note[1]);
        tone.stop(start + note[1] + note[2] + 0.02);
      });
    } catch (error) {
      // No sound device: the colours still say it.
    }
  }

  function answer(station) {
    play(station.dataset.result);
    if (station.dataset.result === "done" && station.dataset.labelUrl) {
      // The label to print; a blocked pop-up leaves its link on the page.
      window.open(station.dataset.labelUrl, "_blank", "noopener");
    }
    var field = station.querySelector("[data-scan-input]");
    if (field) field.focus();
  }

  document.addEventListener("htmx:afterSwap", function () {
    var station = document.getElementById("station");
    if (station) answer(station);
  });

  document.addEventListener("keydown", function (event) {
    var station = document.getElementById("station");
    if (event.key === "Escape" && station && station.dataset.leaveUrl) {
      window.location.assign(station.dataset.leaveUrl);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-bulk]").forEach(setUpBulk);
    var station = document.getElementById("station");
    if (station) {
      var field = station.querySelector("[data-scan-input]");
      if (field) field.focus();
    }
  });
})();
