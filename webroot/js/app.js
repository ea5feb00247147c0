// HWaaS dashboard: everything live comes over the SockJS event-bus bridge ("hwaas.stats" once a second per
// node, "hwaas.jobs.<id>" for jobs this page submitted); writes go to the REST API with the token.
(function () {
  'use strict';
  const STALE_MS = 5000;
  const HISTORY = 120;
  const $ = (id) => document.getElementById(id);
  const nodes = new Map();          // node id -> its latest stats message
  let queues = [];                  // the freshest queue figures any node sent

  // The token arrives the way notebook servers hand it over: in the URL's fragment, never sent to a server.
  const fromUrl = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromUrl) {
    sessionStorage.setItem('hwaas-token', fromUrl);
    history.replaceState(null, '', location.pathname);
  }
  const token = sessionStorage.getItem('hwaas-token');
  $('access').textContent = token ? 'read-write' : 'read-only';
  $('readonly-note').hidden = !!token;
  $('job-submit').disabled = !token;

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

  const bus = new EventBus('/eventbus');
  bus.enableReconnect(true);
  bus.onopen = () => {
    $('connection').textContent = 'live';
    $('connection').classList.remove('off');
    bus.registerHandler('hwaas.stats', (err, msg) => { if (!err) onStats(msg.body); });
  };
  bus.onclose = () => {
    $('connection').textContent = 'disconnected, reconnecting…';
    $('connection').classList.add('off');
  };

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
    const body = $('queues').tBodies[0];
    body.replaceChildren(...queues.map(q => {
      const row = document.createElement('tr');
      row.dataset.type = q.type;
      row.innerHTML = `<td>${q.type}</td><td>${fmt(q.pending)}</td><td>${fmt(q.inFlight)}</td><td>${fmt(q.lag)}</td>
        <td class="processed">${fmt(q.processed)}</td><td>${fmt(q.failed)}</td><td>${fmt(q.dead)}</td>
        <td class="state">${q.paused ? 'paused' : 'running'}</td><td></td>`;
      const button = document.createElement('button');
      button.className = q.paused ? 'resume' : 'pause';
      button.textContent = q.paused ? 'Resume' : 'Pause';
      button.disabled = !token;
      button.onclick = () => control(q.type, q.paused ? 'resume' : 'pause');
      row.lastElementChild.append(button);
      return row;
    }));
  }

  function renderNodes(all) {
    const body = $('nodes').tBodies[0];
    body.replaceChildren(...all.map(s => {
      const n = s.node, row = document.createElement('tr');
      const uptime = Math.round((Date.now() - n.startedAt) / 1000);
      row.innerHTML = `<td>${n.id}${n.redisOwner ? ' <small>(Redis)</small>' : ''}</td><td>${n.host}</td>
        <td>${n.workers}</td><td>${n.clients}</td><td>${n.rate}/s</td><td>${fmt(Math.round(s.printedPerSecond))}</td>
        <td><a href="${n.http}">${n.http}</a></td><td>${uptime} s</td>`;
      return row;
    }));
  }

  setInterval(() => {
    times.push(Date.now() / 1000);
    rates.push(Math.round(sum(live(), s => s.printedPerSecond)));
    if (times.length > HISTORY) { times.shift(); rates.shift(); }
    chart.setData([times, rates]);
  }, 1000);

  async function api(method, path, body) {
    const headers = {'Authorization': 'Bearer ' + token};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
    const json = await response.json();
    if (!response.ok) throw new Error(json.detail || json.error);
    return json;
  }

  async function control(type, action) {
    try {
      const state = await api('POST', `/api/queues/${type}/${action}`);
      queues = queues.map(q => q.type === type ? {...q, paused: state.paused} : q);
      renderQueues();
    } catch (e) {
      alert(`${action} ${type}: ${e.message}`);
    }
  }

  function showJob(update) {
    $('job-status').textContent = update.status;
    $('job-result').textContent = update.result ? JSON.stringify(update.result) : (update.error || '');
  }

  $('job-form').onsubmit = async (event) => {
    event.preventDefault();
    let payload;
    try {
      payload = JSON.parse($('job-payload').value);
    } catch (e) {
      showJob({status: 'not sent', error: 'the payload is not JSON: ' + e.message});
      return;
    }
    try {
      const accepted = await api('POST', '/api/jobs', {type: $('job-type').value, payload, client: $('job-client').value});
      $('job-id').textContent = accepted.id;
      showJob(accepted);
      bus.registerHandler('hwaas.jobs.' + accepted.id, (err, msg) => { if (!err) showJob(msg.body); });
      // It may have finished before the handler was registered: ask once.
      const record = await (await fetch('/api/jobs/' + accepted.id)).json();
      if (record.status === 'completed' || record.status === 'dead') showJob(record);
    } catch (e) {
      showJob({status: 'refused', error: e.message});
    }
  };

  fetch('/api/cluster').then(r => r.json()).then(c => { $('redis').textContent = `Redis ${c.redis}`; }).catch(() => {});
}());
