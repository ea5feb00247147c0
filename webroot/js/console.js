// HWaaS console: hash-routed views over the REST API (#/, #/jobs, #/jobs/<id>, #/dead, #/clients,
// #/clients/<name>, #/nodes). Everything shown comes from Redis through any node, so it survives restarts and
// shows the whole cluster. Text from jobs is hostile: it is only ever set as text, never as markup.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const token = sessionStorage.getItem('hwaas-token');
  const STATES = ['scheduled', 'queued', 'running', 'failed', 'completed', 'dead', 'canceled'];
  const TERMINAL = ['completed', 'dead', 'canceled'];
  let admin = false;
  let canCancel = false;            // issue 16's cancel endpoint, when this node's contract has it
  let timer = null;                 // the current view's refresh
  let leave = null;                 // what the current view undoes when the user moves on (a feed it listens to)
  let renderId = 0;
  let bulkResult = '';              // what the last bulk action did, for the dead letters' next drawing                 // a view that finishes loading after the user moved on draws nothing

  function el(tag, className, ...children) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    e.append(...children.filter(c => c !== null && c !== undefined));
    return e;
  }
  function link(href, text) { const a = el('a', '', text); a.href = href; return a; }
  function button(text, className, action, enabled) {
    const b = el('button', className, text);
    b.type = 'button';
    b.disabled = !enabled;
    b.addEventListener('click', action);
    return b;
  }
  function time(iso) { return iso ? new Date(iso).toLocaleString() : '–'; }
  function table(headers, rows) {
    const head = el('tr', '', ...headers.map(h => el('th', '', h)));
    return el('div', 'scroll', el('table', '', el('thead', '', head), el('tbody', '', ...rows)));
  }

  async function api(method, path) {
    const response = await fetch(path, {method, headers: {'Authorization': 'Bearer ' + token}});
    const json = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw Object.assign(new Error(json.detail || json.error || 'HTTP ' + response.status), {status: response.status});
    }
    return json;
  }

  // "#/jobs?state=dead" -> {path: ['jobs'], params}
  function route() {
    const hash = location.hash.startsWith('#/') ? location.hash.slice(2) : '';
    const [path, query] = hash.split('?');
    return {path: path.split('/').filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(query || '')};
  }

  function show(view) {
    clearInterval(timer);
    timer = null;
    if (leave) leave();
    leave = null;
    const main = $('view');
    main.replaceChildren(...(view ? [view] : []));
    main.hidden = !view;
    $('overview').hidden = !!view;
    const current = '#/' + (route().path[0] || '');
    for (const a of document.querySelectorAll('#console-nav a')) {
      a.classList.toggle('current', a.getAttribute('href') === current);
      if (a.getAttribute('href') === current) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
  }

  function render() {
    const {path, params} = route();
    const id = ++renderId;
    const views = {jobs: path[1] ? () => jobView(path[1]) : () => jobsView(params), dead: () => deadView(params),
      clients: path[1] ? () => clientView(path[1]) : clientsView, nodes: nodesView};
    const make = views[path[0]];
    if (!make) {
      show(null);
      const load = () => today().catch(() => {});
      load();
      live(load, 5000);
      return;
    }
    const box = el('section', 'view');
    box.dataset.view = path[0] + (path[1] ? '-one' : '');
    show(box);
    const refresh = () => make().then(parts => {
      if (id === renderId) box.replaceChildren(...parts.filter(p => p));
    }).catch(e => {
      if (id === renderId) box.replaceChildren(el('p', 'note error', 'Could not load this view: ' + e.message));
    });
    refresh();
    return refresh;
  }

  function live(refresh, ms) {
    timer = setInterval(refresh, ms);
  }

  // The overview's own figures: API jobs since the browser's midnight by state (each a link to those jobs), the dead
  // letters; the rest of the overview (rates, queues, nodes) is drawn by app.js from the live stats.
  async function today() {
    const midnight = new Date();
    midnight.setHours(0, 0, 0, 0);
    const since = midnight.toISOString();
    const figures = await api('GET', '/api/jobs-today?since=' + encodeURIComponent(since));
    const tile = (label, value, href, className) => {
      const t = el('a', 'tile' + (className ? ' ' + className : ''), el('span', 'label', label), el('span', 'value', Number(value).toLocaleString()));
      t.href = href;
      return t;
    };
    const q = (more) => '#/jobs?' + new URLSearchParams({since, ...more});
    $('today').replaceChildren(tile('created', figures.created, q({}), 'today-created'),
      ...STATES.map(s => tile(s, figures.byState[s] || 0, q({state: s}), 'today-' + s)),
      tile('dead letters (all)', figures.deadLetters, '#/dead', 'today-dead-letters'));
    $('today-since').textContent = 'since ' + midnight.toLocaleString();
  }

  // Filters live in the URL, so a view can be bookmarked and shared; the form rewrites the hash.
  function filterForm(fields, params, base) {
    const form = el('form', 'filters');
    for (const f of fields) {
      let input;
      if (f.options) {
        input = el('select', '', el('option', '', ''), ...f.options.map(o => el('option', '', o)));
      } else {
        input = el('input');
        input.type = f.type || 'text';
        if (f.placeholder) input.placeholder = f.placeholder;
      }
      input.name = f.name;
      input.id = 'filter-' + f.name;
      input.value = params.get(f.name) || '';
      form.append(el('label', f.grow ? 'grow' : '', f.label, input));
    }
    const submit = el('button', '', 'Apply');
    submit.type = 'submit';
    form.append(submit);
    form.addEventListener('submit', ev => {
      ev.preventDefault();
      const q = new URLSearchParams();
      for (const f of fields) {
        const v = form.elements[f.name].value.trim();
        if (v) q.set(f.name, f.local ? new Date(v).toISOString() : v);
      }
      location.hash = base + (q.toString() ? '?' + q : '');
    });
    return form;
  }

  function statusBadge(status) { return el('span', 'status status-' + status, status); }

  function jobRow(job) {
    const tr = el('tr', '', el('td', 'id', link('#/jobs/' + encodeURIComponent(job.id), job.id)), el('td', '', job.type),
      el('td', '', link('#/clients/' + encodeURIComponent(job.client), job.client)), el('td', '', statusBadge(job.status)),
      el('td', 'num', String(job.attempts)), el('td', '', time(job.createdAt)), el('td', '', time(job.finishedAt)),
      // A record keeps its last error after a retry succeeded: the list shows it only while it is the story.
      el('td', 'error', job.status === 'failed' || job.status === 'dead' ? job.error || '' : ''));
    tr.dataset.id = job.id;
    return tr;
  }

  // Runs load() for each call, one at a time: calls while it runs make one more run after it, which sees their changes.
  function oneAtATime(load) {
    let loading = null;
    let again = false;
    const run = () => {
      if (loading) { again = true; return; }
      loading = load().catch(() => {}).finally(() => { loading = null; if (again) { again = false; run(); } });
    };
    return run;
  }

  // Listens to an address of the bridge for as long as the view is shown, again after each reconnect of the bridge:
  // the node's feed of job changes (hwaas.console.jobs, at most two messages a second, sent only while a page
  // listens), or one job's changes (hwaas.jobs.<id>, sent to this browser only while it shows that job).
  function follow(address, onChange) {
    const handler = (err, msg) => { if (!err) onChange(msg.body); };
    let bus = null;
    const register = () => {
      bus = window.hwaasBus;
      if (bus && bus.state === EventBus.OPEN) bus.registerHandler(address, {token}, handler);
    };
    register();
    window.addEventListener('hwaas-bus-open', register);
    leave = () => {
      window.removeEventListener('hwaas-bus-open', register);
      if (bus && bus.state === EventBus.OPEN) bus.unregisterHandler(address, {token}, handler);
    };
  }

  // The job browser: pages through the cursor; pushed changes reload the page shown when they touch it (the first
  // page: any change or new job; a later one: a change of a job it shows).
  function jobsView(params) {
    const cursors = [];                      // the cursors of the pages before this one
    let cursor = null;
    const query = new URLSearchParams(params);
    query.set('limit', params.get('limit') || '50');
    const body = el('div');
    const load = async () => {
      const q = new URLSearchParams(query);
      if (cursor) q.set('cursor', cursor);
      const page = await api('GET', '/api/jobs?' + q);
      const prev = button('← newer', 'prev', () => { cursor = cursors.pop() || null; load(); }, cursor !== null);
      const next = button('older →', 'next', () => { cursors.push(cursor); cursor = page.cursor; load(); }, !!page.cursor);
      body.replaceChildren(
        page.jobs.length ? table(['id', 'type', 'client', 'status', 'attempts', 'created', 'finished', 'error'], page.jobs.map(jobRow))
          : el('p', 'note', 'No jobs match.'),
        el('div', 'pager', prev, next, el('span', 'muted', page.jobs.length + ' job(s) on this page')));
    };
    const reload = oneAtATime(load);
    follow('hwaas.console.jobs', change => {
      const shown = new Set([...body.querySelectorAll('tr[data-id]')].map(r => r.dataset.id));
      if (cursor === null || change.more || change.ids.some(id => shown.has(id))) reload();
    });
    return load().then(() => [el('h2', '', 'Jobs'), filterForm([
      {name: 'state', label: 'state', options: STATES}, {name: 'type', label: 'type', placeholder: 'sum'},
      {name: 'client', label: 'client'}, {name: 'q', label: 'id or prefix', grow: true, placeholder: 'api-3f0c…'},
      {name: 'since', label: 'since', placeholder: '2026-11-26T09:00:00Z'}, {name: 'until', label: 'until'},
      {name: 'order', label: 'order', options: ['newest', 'oldest']}], params, '#/jobs'), body]);
  }

  async function act(question, method, path, after) {
    if (!confirm(question)) return;
    try {
      await api(method, path);
      after();
    } catch (e) {
      alert(e.message);
    }
  }

  // A chain's steps, one row per job (a fan-out's jobs as <step>.<k>), each linked to its own view.
  function stepsTable(steps) {
    const rows = steps.flatMap(s => (s.all ? s.all.map((j, k) => [s.step + '.' + k, j]) : [[String(s.step), s]]).map(([label, j]) => {
      const outcome = j.error || (j.result !== undefined ? JSON.stringify(j.result) : '');
      const tr = el('tr', 'step', el('td', 'num', label), el('td', 'id', link('#/jobs/' + encodeURIComponent(j.id), j.id)),
        el('td', '', j.type || ''), el('td', '', statusBadge(j.status)), el('td', j.error ? 'error' : 'result', outcome));
      tr.dataset.id = j.id;
      return tr;
    }));
    return table(['step', 'id', 'type', 'status', 'result / error'], rows);
  }

  // One job's whole story: its fields, every status change, each error, the result, and what may be done.
  async function jobView(id) {
    const load = () => api('GET', '/api/jobs/' + encodeURIComponent(id));
    const draw = (job) => {
      const rows = [['id', job.id], ['type', job.type], ['client', link('#/clients/' + encodeURIComponent(job.client), job.client)],
        ['status', statusBadge(job.status)], ['attempts', String(job.attempts)], ['created', time(job.createdAt)],
        ['run at', job.runAt ? time(job.runAt) : null], ['started', time(job.startedAt)], ['finished', time(job.finishedAt)],
        ['worker', job.worker], ['schedule', job.schedule], [job.status === 'failed' || job.status === 'dead' ? 'error' : 'last error', job.error]]
        .filter(r => r[1]);
      const facts = el('dl', 'facts', ...rows.flatMap(([k, v]) => [el('dt', '', k), el('dd', 'field-' + k, v)]));
      const history = (job.history || []).map(h => el('tr', 'event', el('td', '', time(h.at)), el('td', '', statusBadge(h.status)),
        el('td', h.status === 'failed' || h.status === 'dead' ? 'error' : '', h.detail || '')));
      const actions = el('div', 'actions');
      const q = encodeURIComponent(job.id);
      if (job.status === 'dead') {
        actions.append(button('Requeue', 'requeue', () => act('Requeue job ' + job.id + ' with fresh attempts?', 'POST',
          '/api/dead/requeue?q=' + q, refresh), admin));
        actions.append(button('Delete dead letter', 'delete', () => act('Delete the dead letter of job ' + job.id + '?', 'POST',
          '/api/dead/delete?q=' + q, refresh), admin));
      }
      if (job.status === 'failed') {
        actions.append(button('Retry now', 'retry', () => act('Run job ' + job.id + ' now instead of waiting out its back-off?',
          'POST', '/api/jobs/' + q + '/retry', refresh), admin));
      }
      if (job.status !== 'dead' && job.status !== 'running') {
        const unfinished = !TERMINAL.includes(job.status);
        actions.append(button('Delete', 'delete-job', () => act((unfinished ? 'Cancel and delete' : 'Delete') + ' job ' + job.id
          + ' and its history? This cannot be undone.', 'DELETE', '/api/jobs/' + q, () => { location.hash = '#/jobs'; }), admin));
      }
      if (canCancel && !TERMINAL.includes(job.status)) {
        actions.append(button('Cancel', 'cancel', () => act('Cancel job ' + job.id + '?', 'POST', '/api/jobs/' + q + '/cancel', refresh), admin));
      }
      const parts = [el('h2', '', 'Job ', el('code', '', job.id)), facts, actions];
      if (job.progress !== undefined) parts.push(el('h3', '', 'Progress'), el('pre', 'progress', JSON.stringify(job.progress, null, 2)));
      if (job.steps) parts.push(el('h3', '', 'Steps'), stepsTable(job.steps));
      parts.push(el('h3', '', 'Payload'), el('pre', 'payload', JSON.stringify(job.payload, null, 2)));
      if (job.result) parts.push(el('h3', '', 'Result'), el('pre', 'result', JSON.stringify(job.result, null, 2)));
      parts.push(el('h3', '', 'History'), history.length ? table(['at', 'status', 'worker / error'], history)
        : el('p', 'note', 'No history kept for this job.'));
      return parts;
    };
    const box = () => document.querySelector('#view section.view');
    const refresh = () => load().then(job => { const b = box(); if (b) b.replaceChildren(...draw(job)); });
    // Each change of the job (status, progress) is pushed.
    const reload = oneAtATime(refresh);
    follow('hwaas.jobs.' + id, change => { if (change.status !== 'deleted') reload(); });
    // The bridge may be down or reconnecting: a slow read catches up whatever it did not push meanwhile.
    live(reload, 10000);
    return load().then(draw, e => {
      if (e.status === 404) return [el('h2', '', 'Job ', el('code', '', id)), el('p', 'note', 'No such job: unknown, or its record expired (records are kept for --record-ttl).')];
      throw e;
    });
  }

  // Dead letters, filtered like jobs; one by one or all that match (counted before confirming).
  async function deadView(params) {
    const filter = new URLSearchParams();
    for (const k of ['type', 'q', 'client']) if (params.get(k)) filter.set(k, params.get(k));
    const reload = () => render();
    const page = await api('GET', '/api/dead?limit=100&' + filter + (params.get('after') ? '&after=' + encodeURIComponent(params.get('after')) : ''));
    const rows = page.jobs.map(d => {
      const job = d.job || {};
      const tr = el('tr', '', el('td', 'id', job.id ? link('#/jobs/' + encodeURIComponent(job.id), job.id) : '(unreadable)'),
        el('td', '', d.type || ''), el('td', 'error', d.error || ''), el('td', 'num', d.attempts || ''),
        el('td', '', d.failedAt ? time(new Date(Number(d.failedAt)).toISOString()) : ''),
        el('td', 'row-actions',
          button('Requeue', 'requeue', () => act('Requeue dead job ' + (job.id || d.deadId) + '?', 'POST',
            '/api/dead/' + encodeURIComponent(d.deadId) + '/requeue', reload), admin && !!job.id),
          button('Delete', 'delete', () => act('Delete dead letter ' + d.deadId + '?', 'DELETE',
            '/api/dead/' + encodeURIComponent(d.deadId), reload), admin)));
      tr.dataset.deadId = d.deadId;
      return tr;
    });
    const bulk = (verb, action) => async () => {
      try {
        const counted = await api('POST', '/api/dead/' + action + '?dryRun=true&' + filter);
        if (!counted.matched) { alert('No dead letters match.'); return; }
        if (!confirm(verb + ' all ' + counted.matched + ' dead letter(s) that match?')) return;
        const done = await api('POST', '/api/dead/' + action + '?' + filter);
        bulkResult = verb + ': ' + done.matched + ' dead letter(s).';   // shown by the view drawn next
        reload();
      } catch (e) {
        alert(e.message);
      }
    };
    const result = el('output', '', bulkResult);
    result.id = 'bulk-result';
    bulkResult = '';
    const more = page.next ? link('#/dead?' + new URLSearchParams({...Object.fromEntries(filter), after: page.next}), 'next page →') : null;
    return [el('h2', '', 'Dead letters'),
      filterForm([{name: 'type', label: 'type'}, {name: 'client', label: 'client'},
        {name: 'q', label: 'id prefix or error text', grow: true}], params, '#/dead'),
      el('div', 'actions', button('Requeue all matching…', 'requeue-all', bulk('Requeued', 'requeue'), admin),
        button('Delete all matching…', 'delete-all', bulk('Deleted', 'delete'), admin)),
      el('p', '', result),
      rows.length ? table(['job', 'type', 'error', 'attempts', 'failed at', ''], rows) : el('p', 'note', 'No dead letters match.'),
      el('p', 'pager', more)];
  }

  async function clientsView() {
    const [list, cluster] = await Promise.all([api('GET', '/api/clients'), api('GET', '/api/cluster')]);
    const printClients = (cluster.nodes || []).reduce((n, node) => n + (node.clients || 0), 0);
    const rows = list.clients.map(c => el('tr', '', el('td', '', link('#/clients/' + encodeURIComponent(c.client), c.client)),
      el('td', 'num', String(c.lastMinute)), el('td', 'num', String(c.lastHour)), el('td', '', time(c.lastSeen))));
    live(() => { if (route().path[0] === 'clients') render(); }, 5000);
    return [el('h2', '', 'Clients'),
      el('p', 'note', 'Print clients of ./hwaas W C running now: ' + printClients + '. They keep no job records, by design '
        + '(their hello worlds are counted per node); the API clients below are kept for --record-ttl.'),
      rows.length ? table(['client', 'last minute', 'last hour', 'last seen'], rows) : el('p', 'note', 'No API clients yet.')];
  }

  async function clientView(name) {
    const [figures, recent] = await Promise.all([api('GET', '/api/clients/' + encodeURIComponent(name)),
      api('GET', '/api/jobs?limit=20&client=' + encodeURIComponent(name))]);
    const states = STATES.map(s => el('div', 'tile', el('span', 'label', s), el('span', 'value state-' + s, String(figures.byState[s] || 0))));
    return [el('h2', '', 'Client ', el('code', '', name)),
      el('section', 'tiles', el('div', 'tile', el('span', 'label', 'jobs / min'), el('span', 'value', String(figures.lastMinute))),
        el('div', 'tile', el('span', 'label', 'last hour'), el('span', 'value', String(figures.lastHour))), ...states),
      figures.byStateOf < figures.lastHour ? el('p', 'note', 'States counted over its newest ' + figures.byStateOf
        + ' jobs of the last hour.') : null,
      el('h3', '', 'Recent jobs ', link('#/jobs?client=' + encodeURIComponent(name), 'all →')),
      table(['id', 'type', 'client', 'status', 'attempts', 'created', 'finished', 'error'], recent.jobs.map(jobRow))];
  }

  async function nodesView() {
    const cluster = await api('GET', '/api/cluster');
    live(() => { if (route().path[0] === 'nodes') render(); }, 5000);
    const rows = (cluster.nodes || []).map(n => el('tr', '', el('td', 'id', n.id), el('td', '', n.host || ''),
      el('td', 'num', String(n.workers)), el('td', 'num', String(n.clients)), el('td', '', n.http || ''),
      el('td', '', n.redisOwner ? 'yes' : '')));
    return [el('h2', '', 'Nodes ', el('small', '', 'cluster ' + cluster.name + ', Redis ' + cluster.redis)),
      table(['node', 'host', 'workers', 'clients', 'HTTP', 'runs Redis'], rows)];
  }

  // Keyboard: "/" goes to the search box of the view; g then j/d/c/n/o opens a view.
  let g = false;
  document.addEventListener('keydown', ev => {
    if (ev.target.matches('input, select, textarea') || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === '/') {
      const box = $('filter-q');
      if (box) { ev.preventDefault(); box.focus(); }
    } else if (g) {
      const to = {j: '#/jobs', d: '#/dead', c: '#/clients', n: '#/nodes', o: '#/'}[ev.key];
      if (to) location.hash = to;
      g = false;
    } else {
      g = ev.key === 'g';
    }
  });

  window.addEventListener('hashchange', render);
  if (!token) {
    return;
  }
  api('GET', '/api/access').then(({role}) => {
    admin = role === 'admin';
    return fetch('/api/openapi.yaml').then(r => r.text()).then(t => { canCancel = t.includes('/api/jobs/{id}/cancel:'); });
  }).catch(() => {}).finally(render);
})();
