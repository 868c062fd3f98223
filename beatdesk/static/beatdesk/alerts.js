// The emergency alert's sound: a short tone, made here with the Web Audio API, whenever the
// polled banner (#emergency-alerts) names an emergency this tab has not sounded before.
// Browsers keep a page silent until the person interacts with it, so the officer turns the
// sound on once (remembered in localStorage) and the control says when the browser holds it
// back. The state is written on <body> (data-alert-sound, data-alert-tones) for the tests.
(function () {
  "use strict";

  var WANTED_KEY = "beatdesk.alertSound";
  var SOUNDED_KEY = "beatdesk.soundedEmergencies";
  var audio = null;
  var soundedHere = {};

  function stored(storage, key) {
    try {
      return storage.getItem(key);
    } catch (error) {
      // Storage refused (private mode, policy): fall back to this page's memory.
      return null;
    }
  }

  function store(storage, key, value) {
    try {
      storage.setItem(key, value);
    } catch (error) {
      // Remembered for this page only; the officer can turn the sound on again.
    }
  }

  function soundWanted() {
    return stored(window.localStorage, WANTED_KEY) === "on";
  }

  function audioSupported() {
    return typeof window.AudioContext === "function";
  }

  function audioContext() {
    if (audio === null && audioSupported()) {
      audio = new window.AudioContext();
      audio.addEventListener("statechange", showState);
    }
    return audio;
  }

  function soundState() {
    if (!soundWanted()) {
      return "off";
    }
    if (!audioSupported()) {
      return "unsupported";
    }
    return audio !== null && audio.state === "running" ? "on" : "blocked";
  }

  function showState() {
    var control = document.getElementById("alert-sound");
    if (control === null) {
      return;
    }
    var state = soundState();
    var toggle = document.getElementById("alert-sound-toggle");
    var words = document.getElementById("alert-sound-state");
    toggle.textContent = state === "off" ? control.dataset.turnOn : control.dataset.turnOff;
    words.textContent = state === "off" ? "" : control.dataset[state];
    control.classList.toggle("blocked", state === "blocked" || state === "unsupported");
    document.body.dataset.alertSound = state;
    control.hidden = false;
  }

  // Called from a click or key press: the moment browsers let a page start its sound.
  function allowSound() {
    var context = audioContext();
    if (context !== null && context.state !== "running") {
      context.resume().then(showState, showState);
    }
    showState();
  }

  function toggleSound() {
    store(window.localStorage, WANTED_KEY, soundWanted() ? "off" : "on");
    if (soundWanted()) {
      allowSound();
    } else if (audio !== null) {
      audio.suspend().then(showState, showState);
    }
    showState();
  }

  function playTone() {
    var context = audioContext();
    if (context === null || context.state !== "running") {
      return;
    }
    // Two short rising beeps, loud enough to hear across a room but not harsh.
    var start = context.currentTime;
    [0, 0.35].forEach(function (offset, index) {
      var oscillator = context.createOscillator();
      var gain = context.createGain();
      oscillator.type = "sine";
      oscillator.frequency.value = index === 0 ? 880 : 1175;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.4, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.3);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(start + offset);
      oscillator.stop(start + offset + 0.32);
    });
    var tones = Number(document.body.dataset.alertTones || "0") + 1;
    document.body.dataset.alertTones = String(tones);
  }

  function soundedIds() {
    var saved = stored(window.sessionStorage, SOUNDED_KEY);
    var ids = saved ? saved.split(",") : [];
    Object.keys(soundedHere).forEach(function (id) {
      if (ids.indexOf(id) === -1) {
        ids.push(id);
      }
    });
    return ids;
  }

  // The tab remembers what it has sounded, so moving between pages does not repeat a tone
  // for an emergency the banner already showed; a new one always sounds.
  function soundNewEmergencies() {
    var banner = document.getElementById("emergency-alerts");
    if (banner === null || !banner.dataset.emergencyIds) {
      return;
    }
    var sounded = soundedIds();
    var fresh = banner.dataset.emergencyIds.split(",").filter(function (id) {
      return sounded.indexOf(id) === -1;
    });
    if (fresh.length === 0) {
      return;
    }
    fresh.forEach(function (id) {
      soundedHere[id] = true;
    });
    store(window.sessionStorage, SOUNDED_KEY, sounded.concat(fresh).join(","));
    if (soundWanted()) {
      playTone();
    }
  }

  function start() {
    if (document.getElementById("alert-sound") === null) {
      return;
    }
    document.getElementById("alert-sound-toggle").addEventListener("click", toggleSound);
    if (soundWanted()) {
      audioContext();
      // A browser that blocks sound lets it start on the next click or key press.
      document.addEventListener("pointerdown", allowSound, { once: true });
      document.addEventListener("keydown", allowSound, { once: true });
    }
    showState();
    soundNewEmergencies();
    // htmx announces every piece it puts in the page; a new banner is one of them.
    document.body.addEventListener("htmx:load", soundNewEmergencies);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
