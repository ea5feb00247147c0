// HWaaS dashboard: everything live comes over the SockJS event-bus bridge ("hwaas.stats" once a second per
// node, "hwaas.jobs.<id>" for jobs this page submitted); reads and writes to the REST API carry the token.
// The server is closed by default: nothing works without a token, and GET /api/access says what it may do.
(function () {
  'use strict';
  const STALE_MS = 5000;
  const HISTORY = 120;
  // A node's HTTP address becomes a link only when it is plainly one (no javascript:, no quotes or brackets).
  const HTTP_URL = /^https?:\/\/[^\s"'<>]+$/;
  const $ = (id) => document.getElementById(id);
  const nodes = new Map();          // node id -> its latest stats message
  let queues = [];                  // the freshest queue figures any node sent
  let admin = false;                // write controls stay disabled until GET /api/access answers "admin"
  let bus = null;                   // the bridge, opened only once the token is known to be accepted

  // The token arrives the way notebook servers hand it over: in the URL's fragment, never sent to a server.
  const fromUrl = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromUrl) {
    sessionStorage.setItem('hwaas-token', fromUrl);
    history.replaceState(null, '', location.pathname);
  }
  const token = sessionStorage.getItem('hwaas-token');

  // Builds an element from text and other elements, never from markup: what nodes and jobs send is hostile,
  // and append() turns strings into text nodes.
  function el(tag, className, ...children) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    e.append(...children);
    return e;
  }

  setWritable(false);
  if (!token) {
    noAccess('This page needs a token.');
  } else {
    $('access').textContent = 'checking…';
    api('GET', '/api/access').then(({role}) => start(role), e => noAccess(e.status === 401
        ? 'The node refused this page\'s token.' : 'Could not check this page\'s access (' + e.message + ').'));
  }

  // The whole form (not only its button): a read-only page cannot submit even with Enter.
  function setWritable(writable) {
    for (const control of $('job-form').elements) control.disabled = !writable;
  }

  // "admin" may write; anything else only reads (least privilege if the server ever answers something new).
  function start(role) {
    admin = role === 'admin';
    $('access').textContent = admin ? 'read-write' : 'read-only';
    $('readonly-note').hidden = admin;
    setWritable(admin);
    connect();
    api('GET', '/api/cluster').then(c => { $('redis').textContent = 'Redis ' + c.redis; }).catch(() => {});
    refreshSchedules();
  }

  // Without an accepted token the API and the bridge refuse everything: say how to get in instead of trying.
  function noAccess(reason) {
    $('access').textContent = 'no access';
    $('access').classList.add('off');
    $('connection').textContent = 'not connected';
    $('readonly-note').replaceChildren(reason + ' Open the dashboard URL the node printed at start (it ends in ',
        el('code', '', '#token=…'), ').');
    $('readonly-note').hidden = false;
  }

  // Chart: printed per second, summed over the nodes, sampled by the page once a second.
  const times = [], rates = [];
  const chart = new uPlot({
    width: Math.min(1100, document.body.clientWidth - 20), height: 220,
    series: [{}, {label: 'printed / s', stroke: '#2563eb', fill: '#2563eb22'}],
    axes: [{}, {size: 60}],
    // Always the last two minutes, however few points there are yet.
    scales: {x: {time: true, range: () => { const now = Date.now() / 1000; return [now - HISTORY, now]; }},
             y: {range: (u, min, max) => [0, Math.max(10, max * 1.1)]}}
  }, [times, rates], $('chart'));

  // The bridge refuses a REGISTER whose headers lack the token. Handlers are reset on every (re)connect,
  // so registering in onopen covers reconnects too.
  function connect() {
    bus = new EventBus('/eventbus');
    bus.enableReconnect(true);
    bus.onopen = () => {
      $('connection').textContent = 'live';
      $('connection').classList.remove('off');
      bus.registerHandler('hwaas.stats', {token}, (err, msg) => { if (!err) onStats(msg.body); });
      window.hwaasBus = bus;                              // the console's views listen on it too (console.js)
      window.dispatchEvent(new Event('hwaas-bus-open'));
    };
    bus.onclose = () => {
      $('connection').textContent = 'disconnected, reconnecting…';
      $('connection').classList.add('off');
    };
  }

  function onStats(stats) {
    stats.receivedAt = Date.now();
    nodes.set(stats.node.id, stats);
    if (stats.queues && stats.queues.length) queues = stats.queues;
    render();
  }

  function live() {
    const now = Date.now();
    for (const [id, s] of nodes) if (now - s.receivedAt > STALE_MS) nodes.delete(id);
    return [...nodes.values()];
  }

  const sum = (list, f) => list.reduce((t, x) => t + (f(x) || 0), 0);
  const fmt = (n) => n === null || n === undefined ? '–' : Number(n).toLocaleString('en');

  function render() {
    const all = live();
    $('printed-rate').textContent = fmt(Math.round(sum(all, s => s.printedPerSecond)));
    $('printed-total').textContent = fmt(sum(all, s => s.printed));
    $('submitted-total').textContent = fmt(sum(all, s => s.submitted));
    $('failed-total').textContent = fmt(sum(queues, q => q.failed));
    $('dead-total').textContent = fmt(sum(queues, q => q.dead));
    $('pending').textContent = fmt(sum(queues, q => q.pending + q.inFlight));
    $('lag').textContent = fmt(sum(queues, q => q.lag));
    const highest = Math.max(-1, ...all.map(s => s.highestSeq));
    $('highest').textContent = highest < 0 ? '–' : fmt(highest);
    // Across nodes: the average weighted by count; for p50 and p99 the worst node's, an upper bound.
    const counted = all.filter(s => s.latency && s.latency.count > 0);
    const count = sum(counted, s => s.latency.count);
    $('latency-avg').textContent = count ? (sum(counted, s => s.latency.avg * s.latency.count) / count).toFixed(1) : '–';
    $('latency-p50').textContent = count ? Math.max(...counted.map(s => s.latency.p50)) : '–';
    $('latency-p99').textContent = count ? Math.max(...counted.map(s => s.latency.p99)) : '–';
    renderQueues();
    renderNodes(all);
  }

  function renderQueues() {
    $('queues').tBodies[0].replaceChildren(...queues.map(q => {
      const button = el('button', q.paused ? 'resume' : 'pause', q.paused ? 'Resume' : 'Pause');
      button.disabled = !admin;
      button.onclick = () => control(q.type, q.paused ? 'resume' : 'pause');
      const row = el('tr', '', el('td', '', q.type), el('td', '', fmt(q.pending)), el('td', '', fmt(q.inFlight)),
          el('td', '', fmt(q.lag)), el('td', 'processed', fmt(q.processed)), el('td', '', fmt(q.failed)),
          el('td', '', fmt(q.dead)), el('td', 'state', q.paused ? 'paused' : 'running'), el('td', '', button));
      row.dataset.type = q.type;
      return row;
    }));
  }

  function renderNodes(all) {
    $('nodes').tBodies[0].replaceChildren(...all.map(s => {
      const n = s.node;
      const id = el('td', '', n.id);
      if (n.redisOwner) id.append(' ', el('small', '', '(Redis)'));
      const http = el('td', 'http');
      if (typeof n.http === 'string' && HTTP_URL.test(n.http)) {
        const link = el('a', '', n.http);
        link.href = n.http;
        http.append(link);
      } else {
        http.append(n.http ?? '');
      }
      const uptime = Math.round((Date.now() - n.startedAt) / 1000);
      return el('tr', '', id, el('td', '', n.host), el('td', '', fmt(n.workers)), el('td', '', fmt(n.clients)),
          el('td', '', fmt(n.rate) + '/s'), el('td', '', fmt(Math.round(s.printedPerSecond))), http,
          el('td', '', fmt(uptime) + ' s'));
    }));
  }

  // Schedules change rarely and are not on the bus: read every two seconds while the page is open.
  async function refreshSchedules() {
    try {
      const answer = await api('GET', '/api/schedules');
      renderSchedules(answer.schedules, answer.delayed);
    } catch (e) {
      // no access yet, or the node is restarting: the next round tries again
    }
  }

  const when = (iso) => iso ? new Date(iso).toLocaleTimeString('en-GB') : '–';

  function renderSchedules(schedules, delayed) {
    $('delayed').textContent = delayed && delayed.count > 0
      ? fmt(delayed.count) + ' delayed job(s), next due ' + when(delayed.nextDue) : 'no delayed jobs';
    $('schedules-empty').hidden = schedules.length > 0;
    $('schedules').tBodies[0].replaceChildren(...schedules.map(s => {
      const buttons = el('td', '');
      for (const action of [s.paused ? 'resume' : 'pause', 'trigger']) {
        const button = el('button', action, action[0].toUpperCase() + action.slice(1));
        button.disabled = !admin;
        button.onclick = () => scheduleAction(s.name, action);
        buttons.append(button, ' ');
      }
      const row = el('tr', '', el('td', '', s.name), el('td', '', el('code', '', s.cron)),
          el('td', '', s.job.type + ' for ' + s.job.client), el('td', 'last', when(s.lastTick)),
          el('td', 'next', when(s.nextTick)), el('td', 'state', s.paused ? 'paused' : 'active'), buttons);
      row.dataset.name = s.name;
      return row;
    }));
  }

  // The name comes from the API: encode it so it cannot steer the POST to another path.
  async function scheduleAction(name, action) {
    try {
      await api('POST', '/api/schedules/' + encodeURIComponent(name) + '/' + action);
      refreshSchedules();
    } catch (e) {
      alert(action + ' ' + name + ': ' + e.message);
    }
  }

  setInterval(refreshSchedules, 2000);

  setInterval(() => {
    times.push(Date.now() / 1000);
    rates.push(Math.round(sum(live(), s => s.printedPerSecond)));
    if (times.length > HISTORY) { times.shift(); rates.shift(); }
    chart.setData([times, rates]);
  }, 1000);

  // Every API call carries the token; a refusal throws an Error with the HTTP status (401: no or bad token).
  async function api(method, path, body) {
    const headers = {'Authorization': 'Bearer ' + token};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
    const json = await response.json().catch(() => ({}));   // a refusal may come without a JSON body
    if (!response.ok) {
      throw Object.assign(new Error(json.detail || json.error || 'HTTP ' + response.status), {status: response.status});
    }
    return json;
  }

  // The queue type comes from the stats messages: encode it so it cannot steer the POST to another path.
  async function control(type, action) {
    try {
      const state = await api('POST', '/api/queues/' + encodeURIComponent(type) + '/' + action);
      queues = queues.map(q => q.type === type ? {...q, paused: state.paused} : q);
      renderQueues();
    } catch (e) {
      alert(action + ' ' + type + ': ' + e.message);
    }
  }

  const FINISHED = ['completed', 'dead', 'canceled'];

  // A running job's progress ({fraction, message}) comes alone or with its record; the bar stays at the last one.
  function showProgress(progress) {
    $('job-progress').hidden = !progress;
    $('job-progress').value = progress ? progress.fraction : 0;
    $('job-progress-text').textContent = progress ? Math.round(progress.fraction * 100) + ' % ' + progress.message : '';
  }

  // Changes may arrive out of order (a read of the record against the live events, a cancel answered by one node and
  // announced by another): a finished job never goes back, and a report of progress means it runs.
  function showJob(update) {
    const shown = $('job-status').textContent;
    if (FINISHED.includes(shown) && !FINISHED.includes(update.status)) return;
    if (update.progress) showProgress(update.progress);
    if (!update.status) {
      if (shown === 'queued' || shown === 'scheduled') update = {status: 'running'};
      else return;
    }
    if (update.status === 'completed') showProgress({fraction: 1, message: ''});
    $('job-status').textContent = update.status;
    $('job-result').textContent = update.result ? JSON.stringify(update.result) : (update.error || '');
    // A job that is over, or was never sent, has nothing to cancel.
    $('job-cancel').hidden = !admin || !['queued', 'scheduled', 'running', 'failed'].includes(update.status);
  }

  $('job-cancel').onclick = async () => {
    const id = $('job-id').textContent;
    try {
      showJob(await api('POST', '/api/jobs/' + encodeURIComponent(id) + '/cancel'));
    } catch (e) {
      $('job-result').textContent = 'cancel: ' + e.message;
    }
  };

  $('job-form').onsubmit = async (event) => {
    event.preventDefault();
    if (!admin) return;
    let payload;
    try {
      payload = JSON.parse($('job-payload').value);
    } catch (e) {
      $('job-status').textContent = '–';
      showJob({status: 'not sent', error: 'the payload is not JSON: ' + e.message});
      return;
    }
    try {
      const accepted = await api('POST', '/api/jobs', {type: $('job-type').value, payload, client: $('job-client').value});
      $('job-id').textContent = accepted.id;
      $('job-status').textContent = '–';
      showProgress(null);
      showJob(accepted);
      // While the bridge is down there is nothing to register on; the read below still shows where it got.
      if (bus.state === EventBus.OPEN) {
        bus.registerHandler('hwaas.jobs.' + accepted.id, {token}, (err, msg) => { if (!err) showJob(msg.body); });
      }
      // It may have finished before the handler was registered: ask once.
      const record = await api('GET', '/api/jobs/' + encodeURIComponent(accepted.id));
      if (record.status !== 'queued') showJob(record);
    } catch (e) {
      $('job-status').textContent = '–';
      showJob({status: 'refused', error: e.message});
    }
  };
}());
