// Keyboard shortcuts for the desk: move through the inbox and act on a case without the mouse.
// They are active on any page that carries the help dialog (#shortcuts-help), at every screen
// size, and never while the person types in a field or holds Ctrl, Alt or Meta. The list's
// order is kept in sessionStorage so that "n" on a case goes to the next one of that list.
(function () {
  "use strict";

  var ORDER_KEY = "beatdesk.caseOrder";
  // How long "g" waits for its second key.
  var CHORD_MILLISECONDS = 1500;
  var chordStartedAt = 0;

  function caseLinks() {
    return Array.prototype.slice.call(document.querySelectorAll("#case-list .case > a"));
  }

  function rememberOrder() {
    var paths = caseLinks().map(function (link) {
      return link.pathname;
    });
    if (paths.length === 0) {
      return;
    }
    try {
      window.sessionStorage.setItem(ORDER_KEY, JSON.stringify(paths));
    } catch (error) {
      // Without storage "n" simply goes back to the inbox.
    }
  }

  function rememberedOrder() {
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(ORDER_KEY) || "[]");
      return Array.isArray(saved) ? saved : [];
    } catch (error) {
      return [];
    }
  }

  function moveInList(step) {
    var links = caseLinks();
    if (links.length === 0) {
      return;
    }
    var index = links.indexOf(document.activeElement);
    var next = index === -1 ? (step > 0 ? 0 : links.length - 1) : index + step;
    next = Math.max(0, Math.min(links.length - 1, next));
    links.forEach(function (link, position) {
      link.parentElement.classList.toggle("current", position === next);
    });
    links[next].focus();
    links[next].scrollIntoView({ block: "nearest" });
  }

  function goToNextCase(help) {
    var order = rememberedOrder();
    var index = order.indexOf(window.location.pathname);
    if (index !== -1 && index + 1 < order.length) {
      window.location.assign(order[index + 1]);
    } else {
      window.location.assign(help.dataset.inboxUrl);
    }
  }

  function focusControl(name) {
    var form = document.querySelector('[data-shortcut="' + name + '"]');
    var control = form && form.querySelector("textarea, select, input:not([type=hidden])");
    if (control) {
      control.scrollIntoView({ block: "center" });
      control.focus();
    }
  }

  function typingSomewhere(event) {
    var target = event.target;
    if (!(target instanceof Element)) {
      return false;
    }
    return target.isContentEditable || target.closest("input, textarea, select") !== null;
  }

  function ignored(event) {
    return (
      event.defaultPrevented ||
      event.isComposing ||
      event.ctrlKey ||
      event.altKey ||
      event.metaKey ||
      typingSomewhere(event) ||
      document.querySelector("dialog[open]") !== null
    );
  }

  // Returns whether the key was one of ours, so that the browser does not act on it too.
  function act(key, help) {
    var chord = Date.now() - chordStartedAt < CHORD_MILLISECONDS;
    chordStartedAt = 0;
    if (chord && key === "i") {
      window.location.assign(help.dataset.inboxUrl);
      return true;
    }
    var actions = {
      "?": function () {
        help.showModal();
      },
      g: function () {
        chordStartedAt = Date.now();
      },
      j: function () {
        moveInList(1);
      },
      k: function () {
        moveInList(-1);
      },
      a: function () {
        focusControl("answer");
      },
      s: function () {
        focusControl("assign");
      },
      r: function () {
        focusControl("status");
      },
      n: function () {
        goToNextCase(help);
      },
    };
    if (!Object.prototype.hasOwnProperty.call(actions, key)) {
      return false;
    }
    actions[key]();
    return true;
  }

  // A poll replaces the list; the person keeps their place in it.
  function keepFocusAcrossPolls() {
    var focusedHref = null;
    document.body.addEventListener("htmx:beforeSwap", function () {
      var active = document.activeElement;
      var list = document.getElementById("case-list");
      var inList = list !== null && active !== null && list.contains(active);
      focusedHref = inList ? active.getAttribute("href") : null;
    });
    document.body.addEventListener("htmx:afterSettle", function () {
      rememberOrder();
      if (focusedHref === null) {
        return;
      }
      var again = document.querySelector('#case-list a[href="' + CSS.escape(focusedHref) + '"]');
      focusedHref = null;
      if (again !== null) {
        again.parentElement.classList.add("current");
        again.focus({ preventScroll: true });
      }
    });
  }

  function start() {
    var help = document.getElementById("shortcuts-help");
    if (help === null) {
      return;
    }
    document.querySelectorAll("[data-shortcuts-open]").forEach(function (button) {
      button.addEventListener("click", function () {
        help.showModal();
      });
      button.closest(".shortcuts-open").hidden = false;
    });
    document.addEventListener("keydown", function (event) {
      if (!ignored(event) && act(event.key, help)) {
        event.preventDefault();
      }
    });
    rememberOrder();
    keepFocusAcrossPolls();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
