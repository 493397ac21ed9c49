/*
 * efa-forms – optional enhancements. Every page works without this file.
 *
 * 1. Error summary: focus it on load; its links move focus to the field and scroll its label or
 *    legend into view.
 * 2. Conditional questions: [data-reveal-controller] elements are shown only while the controlling
 *    question (by its `name`) has one of the values in [data-reveal-values] (a JSON array).
 * 3. File uploads: a step form with [data-upload-form] that is sent with a file chosen goes by
 *    XMLHttpRequest, with a progress bar and a status in the question's live region
 *    ([data-upload-status], focused meanwhile, as its buttons are disabled); the answer replaces
 *    the page as a normal submit would. An upload that never reached the server (connection lost,
 *    the server's request timeout: status 0 or 408) is not sent again by itself, as the same file
 *    would take as long again: the region says so ([data-upload-interrupted]) and the file stays
 *    chosen. Without XMLHttpRequest upload events, or when the server's answer is no page, the
 *    form is submitted normally.
 * 4. File status: the message of what the last post did to a question's files ([data-file-note],
 *    role="status") is focused when the page shows no error summary.
 *
 * Plain ES2017, no dependencies, no eval, no inline handlers (works under script-src 'self').
 */
(function () {
  'use strict';

  var FIELD_SELECTOR = 'input:not([type="hidden"]):not([disabled]), select:not([disabled]), textarea:not([disabled])';
  var FOCUSABLE_SELECTOR = FIELD_SELECTOR + ', button:not([disabled]), a[href], [tabindex]';

  function isField(el) {
    return typeof el.matches === 'function' && el.matches(FIELD_SELECTOR);
  }

  function isFocusable(el) {
    return typeof el.matches === 'function' && el.matches(FOCUSABLE_SELECTOR) && el.tagName !== 'FIELDSET';
  }

  /* ---------- 1. Error summary ---------- */

  /** The element to focus for an error link's target: the field itself or the first field inside. */
  function focusTargetFor(target) {
    if (isField(target)) return target;
    var field = target.querySelector(FIELD_SELECTOR);
    if (field) {
      // In a radio group, prefer the option that is already chosen.
      if (field.type === 'radio' && field.name) {
        var group = target.querySelectorAll('input[type="radio"]');
        for (var i = 0; i < group.length; i++) {
          if (group[i].name === field.name && group[i].checked && !group[i].disabled) return group[i];
        }
      }
      return field;
    }
    if (isFocusable(target)) return target;
    var other = target.querySelector('button:not([disabled]), a[href]');
    if (other) return other;
    // Nothing focusable: make the target itself reachable by script (not by Tab).
    target.setAttribute('tabindex', '-1');
    return target;
  }

  function labelFor(field) {
    if (field.labels && field.labels.length > 0) return field.labels[0];
    if (!field.id) return null;
    var labels = document.getElementsByTagName('label');
    for (var i = 0; i < labels.length; i++) {
      if (labels[i].htmlFor === field.id) return labels[i];
    }
    return null;
  }

  function legendFor(el) {
    var fieldset = el.closest('fieldset');
    if (!fieldset) return null;
    for (var i = 0; i < fieldset.children.length; i++) {
      if (fieldset.children[i].tagName === 'LEGEND') return fieldset.children[i];
    }
    return null;
  }

  /**
   * What to scroll to the top: for radios, checkboxes and date parts the question is the legend
   * (their own label is only an option or "Tag"); for other fields their label, or the legend of
   * their fieldset when legend and field fit on the screen together.
   */
  function scrollTargetFor(field) {
    var legend = legendFor(field);
    var label = labelFor(field);
    var isChoice = field.type === 'radio' || field.type === 'checkbox';
    if (isChoice) {
      // A single checkbox answers its own question: its label is the question.
      var list = field.closest('.efa-radios, .efa-checkboxes');
      var single = !list || list.querySelectorAll('input[type="radio"], input[type="checkbox"]').length === 1;
      if (!single && legend) return legend;
    } else if (field.closest('.efa-date-input') && legend) {
      return legend;
    }
    // Show the question of the surrounding fieldset too, if it fits on screen with the field.
    if (legend && label) {
      var distance = field.getBoundingClientRect().bottom - legend.getBoundingClientRect().top;
      if (distance > 0 && distance < window.innerHeight * 0.75) return legend;
    }
    return label || legend || field;
  }

  function focusField(target) {
    var field = focusTargetFor(target);
    var scrollTo = isField(field) ? scrollTargetFor(field) : target;
    if (scrollTo && typeof scrollTo.scrollIntoView === 'function') scrollTo.scrollIntoView();
    try {
      field.focus({ preventScroll: true });
    } catch (e) {
      field.focus();
    }
  }

  function initErrorSummary() {
    var summary = document.querySelector('[data-error-summary]');
    if (!summary) return;
    if (!summary.hasAttribute('tabindex')) summary.setAttribute('tabindex', '-1');
    summary.focus();

    summary.addEventListener('click', function (event) {
      var link = event.target && event.target.closest ? event.target.closest('a') : null;
      if (!link || !summary.contains(link)) return;
      var href = link.getAttribute('href') || '';
      if (href.charAt(0) !== '#' || href.length < 2) return;
      var id = href.slice(1);
      try {
        id = decodeURIComponent(id);
      } catch (e) {
        // keep the raw id
      }
      var target = document.getElementById(id);
      if (!target) return;
      event.preventDefault();
      focusField(target);
    });
  }

  /* ---------- 2. Conditional questions ---------- */

  function parseValues(raw) {
    if (raw === null) return null;
    var parsed;
    try {
      parsed = JSON.parse(raw);
    } catch (e) {
      // Not JSON (e.g. an array rendered as "a,b"): fall back to a comma list.
      return raw.split(',').map(function (v) { return v.trim(); });
    }
    if (Array.isArray(parsed)) return parsed.map(function (v) { return String(v); });
    if (parsed === null || typeof parsed === 'object') return null;
    return [String(parsed)];
  }

  /** The form controls named `name` (names may contain "/", so no selectors are built from them). */
  function controlsNamed(name, revealed) {
    var found = [];
    var candidates = document.getElementsByName(name);
    for (var i = 0; i < candidates.length; i++) {
      var el = candidates[i];
      var tag = el.tagName;
      if (tag !== 'INPUT' && tag !== 'SELECT' && tag !== 'TEXTAREA') continue;
      if (tag === 'INPUT' && (el.type === 'hidden' || el.type === 'submit' || el.type === 'button')) continue;
      if (revealed.contains(el)) continue; // a question cannot switch itself
      found.push(el);
    }
    return found;
  }

  function currentValues(controls) {
    var values = [];
    controls.forEach(function (el) {
      if (el.tagName === 'INPUT' && (el.type === 'radio' || el.type === 'checkbox')) {
        if (el.checked) values.push(el.value);
      } else if (el.tagName === 'SELECT') {
        for (var i = 0; i < el.options.length; i++) {
          if (el.options[i].selected) values.push(el.options[i].value);
        }
      } else {
        values.push(el.value);
      }
    });
    return values;
  }

  function initReveals() {
    var updaters = [];
    var elements = document.querySelectorAll('[data-reveal-controller]');
    for (var i = 0; i < elements.length; i++) {
      var update = setUpReveal(elements[i]);
      if (update) updaters.push(update);
    }
    if (updaters.length === 0) return;
    // Pages restored from the back/forward cache keep their (possibly changed) answers.
    window.addEventListener('pageshow', function () {
      updaters.forEach(function (fn) { fn(); });
    });
  }

  function setUpReveal(element) {
    var name = element.getAttribute('data-reveal-controller');
    var values = parseValues(element.getAttribute('data-reveal-values'));
    if (!name || !values) return null;
    var controls = controlsNamed(name, element);
    if (controls.length === 0) return null; // controller on another page: leave the question visible

    var update = function () {
      var current = currentValues(controls);
      var show = current.some(function (v) { return values.indexOf(v) !== -1; });
      element.hidden = !show;
    };
    controls.forEach(function (el) {
      el.addEventListener('change', update);
    });
    update();
    return update;
  }

  /* ---------- 3. File uploads ---------- */

  function canUpload() {
    return typeof window.FormData === 'function' && typeof window.XMLHttpRequest === 'function' &&
      'upload' in new XMLHttpRequest() && typeof window.DOMParser === 'function';
  }

  /** The file inputs of the form that have a file chosen. */
  function chosenFiles(form) {
    var inputs = form.querySelectorAll('input[type="file"]');
    var chosen = [];
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].files && inputs[i].files.length > 0) chosen.push(inputs[i]);
    }
    return chosen;
  }

  function fillIn(text, values) {
    return String(text || '').replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  /** The live region of the question the first chosen file belongs to. */
  function statusFor(input) {
    var question = input.closest('[data-file-question]');
    return question ? question.querySelector('[data-upload-status]') : null;
  }

  /** Shows the server's answer as the browser would have after a normal submit. */
  function showAnswer(xhr, action) {
    var landed = xhr.responseURL || action;
    if (landed !== action) {
      // Redirected (post/redirect/get): load the page it went to, so address and history are right.
      window.location.assign(landed);
      return;
    }
    // Answered in place (errors, the saved page): that page replaces this one.
    var doc = new DOMParser().parseFromString(xhr.responseText, 'text/html');
    document.title = doc.title;
    document.body.parentNode.replaceChild(document.adoptNode(doc.body), document.body);
    init();
    if (!document.querySelector('[data-error-summary]') && !document.querySelector('[data-file-note]')) {
      var main = document.getElementById('main');
      if (main) main.focus();
    }
  }

  function sendWithProgress(form, submitter, input) {
    var action = new URL(form.getAttribute('action') || window.location.href, window.location.href).href;
    var data = new FormData(form);
    // FormData leaves the pressed button out; it goes last, after the file, as in a normal submit.
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    var status = statusFor(input);
    var progress = null;
    var text = null;
    if (status) {
      status.textContent = '';
      progress = document.createElement('progress');
      progress.max = 100;
      progress.value = 0;
      progress.setAttribute('aria-label', form.getAttribute('data-upload-label') || '');
      text = document.createElement('p');
      text.className = 'efa-body';
      status.appendChild(progress);
      status.appendChild(text);
    }
    var buttons = form.querySelectorAll('button[type="submit"]');
    // The button pressed is about to be disabled, which would drop focus to <body>: the region
    // that tells how the upload goes takes it (tabindex="-1") and is read out.
    if (status) status.focus();
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
    var announced = -1;

    var xhr = new XMLHttpRequest();
    xhr.open('POST', action);
    xhr.upload.addEventListener('progress', function (event) {
      if (!event.lengthComputable || !progress) return;
      var percent = Math.floor((event.loaded / event.total) * 100);
      progress.value = percent;
      // Said at every quarter only: a screen reader reading each percent would say nothing else.
      var quarter = Math.floor(percent / 25);
      if (quarter !== announced && percent < 100) {
        announced = quarter;
        text.textContent = fillIn(form.getAttribute('data-upload-progress'), { percent: quarter * 25 });
      }
    });
    xhr.upload.addEventListener('load', function () {
      if (progress) progress.value = 100;
      if (text) text.textContent = form.getAttribute('data-upload-checking') || '';
    });
    xhr.addEventListener('load', function () {
      // Cut off or too slow (the server answers 408 with a short static page when the request timeout runs out).
      if (xhr.status === 0 || xhr.status === 408) return interrupted(form, submitter, buttons, status);
      // Some other answer that is no page: never swap in a blank page; the normal submit lets
      // the browser show what the server says.
      if (!/<html/i.test(xhr.responseText || '')) return fallBack(form, submitter, buttons, status);
      showAnswer(xhr, action);
    });
    xhr.addEventListener('error', function () {
      interrupted(form, submitter, buttons, status);
    });
    xhr.addEventListener('abort', function () {
      interrupted(form, submitter, buttons, status);
    });
    xhr.send(data);
  }

  /**
   * The upload never reached the server. A normal submit would send the whole file again and
   * most likely be cut off again: the question's live region says what happened (in the page's
   * language, from the server's page), the buttons work again and the chosen file stays, so the
   * citizen decides when to try again.
   */
  function interrupted(form, submitter, buttons, status) {
    var message = status ? status.getAttribute('data-upload-interrupted') : '';
    if (!message) return fallBack(form, submitter, buttons, status);
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = false;
    status.textContent = '';
    var text = document.createElement('p');
    text.className = 'efa-body';
    text.textContent = message;
    status.appendChild(text);
    // Focus stays with the message unless the citizen has moved on meanwhile.
    if (!document.activeElement || document.activeElement === document.body || document.activeElement === status) status.focus();
  }

  /** The request failed: the same post as a normal submit, which the server answers as ever. */
  function fallBack(form, submitter, buttons, status) {
    if (status) status.textContent = '';
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = false;
    if (submitter && submitter.name) {
      var pressed = document.createElement('input');
      pressed.type = 'hidden';
      pressed.name = submitter.name;
      pressed.value = submitter.value;
      form.appendChild(pressed);
    }
    form.submit();
  }

  function initUploads() {
    if (!canUpload()) return;
    var forms = document.querySelectorAll('form[data-upload-form]');
    for (var i = 0; i < forms.length; i++) {
      forms[i].addEventListener('submit', function (event) {
        var form = event.currentTarget;
        // Which button was pressed decides what the server does; a browser that cannot say submits normally.
        var submitter = event.submitter || null;
        if (!submitter) return;
        // A remove button takes no file; without a file chosen there is nothing to show progress of.
        if (String(submitter.value).indexOf('remove-file:') === 0) return;
        var chosen = chosenFiles(form);
        if (chosen.length === 0) return;
        event.preventDefault();
        try {
          sendWithProgress(form, submitter, chosen[0]);
        } catch (e) {
          fallBack(form, submitter, [], null);
        }
      });
    }
  }

  /* ---------- 4. File status ---------- */

  /** After an upload or a removal the citizen goes on from the question, told what happened. */
  function initFileNote() {
    if (document.querySelector('[data-error-summary]')) return;
    var note = document.querySelector('[data-file-note]');
    if (note) note.focus();
  }

  /* ---------- Start ---------- */

  function init() {
    try {
      initReveals();
    } catch (e) {
      // An enhancement must never break the page.
    }
    try {
      initErrorSummary();
    } catch (e) {
      // ditto
    }
    try {
      initUploads();
    } catch (e) {
      // ditto
    }
    try {
      initFileNote();
    } catch (e) {
      // ditto
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
}());
