// The live view: polls the Actuator 'taskgroups' endpoint and the task counters, and draws the tree.
// Plain JavaScript, no build step.
(function () {
  'use strict';
  var INTERVAL_MS = 500;
  var base = (window.TASKGROUP_ACTUATOR || '/actuator');
  document.getElementById('interval').textContent = INTERVAL_MS;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  // The endpoint answers { "groups": [ ... ] } (or a bare array); each group has a name, a state, tasks and
  // nested groups, as in the core's TaskGroupSnapshot.
  function groupsOf(body) {
    if (Array.isArray(body)) { return body; }
    if (body && Array.isArray(body.groups)) { return body.groups; }
    return [];
  }

  function count(groups) {
    var totals = { groups: 0, tasks: 0 };
    (function walk(list) {
      list.forEach(function (g) {
        totals.groups++;
        totals.tasks += (g.tasks || []).length;
        walk(g.groups || []);
      });
    })(groups);
    return totals;
  }

  function renderGroup(g) {
    var box = el('div', 'group');
    box.setAttribute('data-group', g.name);
    var head = el('div', 'head');
    head.appendChild(el('span', 'name', g.name + (g.id !== undefined ? ' #' + g.id : '') + ' '));
    var groupState = String(g.state).toUpperCase();
    head.appendChild(el('span', 'state ' + groupState, groupState));
    if (g.policy) { head.appendChild(el('span', 'meta', ' ' + String(g.policy).toLowerCase())); }
    if (g.age) { head.appendChild(el('span', 'meta', ' age ' + g.age.replace(/^PT/, '').toLowerCase())); }
    if (g.cancellationReason) { head.appendChild(el('span', 'meta', ' reason: ' + g.cancellationReason)); }
    box.appendChild(head);
    (g.tasks || []).forEach(function (t) {
      var row = el('div', 'task');
      row.setAttribute('data-task', t.name);
      var taskState = String(t.state).toUpperCase();
      row.setAttribute('data-state', taskState);
      row.appendChild(el('span', 'state ' + taskState, taskState));
      row.appendChild(document.createTextNode(' ' + t.name + (t.thread ? '  on ' + t.thread : '')));
      box.appendChild(row);
    });
    (g.groups || []).forEach(function (child) { box.appendChild(renderGroup(child)); });
    return box;
  }

  function fetchJson(path) {
    return fetch(base + path, { cache: 'no-store', headers: { Accept: 'application/json' } })
      .then(function (r) { if (!r.ok) { throw new Error(path + ': HTTP ' + r.status); } return r.json(); });
  }

  function metricTotal(body) {
    var m = (body.measurements || []).filter(function (x) { return x.statistic === 'COUNT'; })[0];
    return m ? Math.round(m.value) : 0;
  }

  function refreshCounters() {
    fetchJson('/metrics/taskgroup.tasks.spawned').then(function (b) {
      document.getElementById('spawned').textContent = metricTotal(b);
    }).catch(function () { document.getElementById('spawned').textContent = '0'; });
    fetchJson('/metrics/taskgroup.tasks.cancelled').then(function (b) {
      document.getElementById('cancelled').textContent = metricTotal(b);
      var reasons = (b.availableTags || []).filter(function (t) { return t.tag === 'reason'; })[0];
      var text = reasons ? reasons.values.slice().sort().join(', ') : '';
      document.getElementById('reasons').textContent = text ? 'reasons seen: ' + text : '';
    }).catch(function () { document.getElementById('cancelled').textContent = '0'; });
  }

  function refreshTree() {
    fetchJson('/taskgroups').then(function (body) {
      var groups = groupsOf(body);
      var tree = document.getElementById('tree');
      tree.textContent = '';
      if (groups.length === 0) {
        tree.appendChild(el('span', 'empty', 'no live groups'));
      }
      groups.forEach(function (g) { tree.appendChild(renderGroup(g)); });
      var totals = count(groups);
      document.getElementById('live-groups').textContent = totals.groups;
      document.getElementById('live-tasks').textContent = totals.tasks;
      document.getElementById('status').textContent = 'updated ' + new Date().toLocaleTimeString();
      document.getElementById('status').className = 'sub';
    }).catch(function (e) {
      document.getElementById('status').textContent = String(e);
      document.getElementById('status').className = 'sub error';
    });
  }

  function tick() {
    refreshTree();
    refreshCounters();
  }
  tick();
  setInterval(tick, INTERVAL_MS);
})();
