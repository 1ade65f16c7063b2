// The live feed over WebSocket (/api/v1/live): auth by first message, one subscription at a time
// (the current view's), reconnect with exponential backoff and jitter.
//
// Status: 'off' (signed out), 'connecting', 'connected', 'reconnecting', 'rejected' (key refused).

const UNAUTHORIZED = 4401;
const MAX_DELAY_MS = 30_000;

let key = null;
let socket = null;
let ready = false;
let attempt = 0;
let retryTimer = 0;
let wanted = null; // {all: true} or {links: [...]}
let active = null; // what the server currently has for this socket
let status = 'off';
const frameListeners = new Set();
const statusListeners = new Set();

/** Listens to server frames; returns a function that stops listening. */
export function onFrame(fn) {
  frameListeners.add(fn);
  return () => frameListeners.delete(fn);
}

/** Listens to status changes (called at once with the current status). */
export function onStatus(fn) {
  statusListeners.add(fn);
  fn(status);
  return () => statusListeners.delete(fn);
}

export function start(apiKey) {
  stop();
  key = apiKey;
  connect();
  addEventListener('online', retryNow);
}

export function stop() {
  removeEventListener('online', retryNow);
  key = null;
  clearTimeout(retryTimer);
  if (socket) {
    socket.onclose = null;
    socket.onmessage = null;
    socket.close(1000, 'signed out');
  }
  socket = null;
  ready = false;
  active = null;
  setStatus('off');
}

/** Sets what this tab follows: {all: true}, {links: ['slug']} or null for nothing. */
export function follow(subscription) {
  wanted = subscription;
  sync();
}

function connect() {
  if (!key) return;
  setStatus(attempt === 0 ? 'connecting' : 'reconnecting');
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/live`;
  let ws;
  try {
    ws = new WebSocket(url);
  } catch {
    scheduleRetry();
    return;
  }
  socket = ws;
  const dispatch = (frame) => {
    for (const fn of frameListeners) {
      try {
        fn(frame);
      } catch (err) {
        console.error(err);
      }
    }
  };
  ws.onopen = () => ws.send(JSON.stringify({type: 'auth', key, batch: true}));
  ws.onmessage = (e) => {
    let frame;
    try {
      frame = JSON.parse(e.data);
    } catch {
      return;
    }
    if (frame.type === 'ready') {
      ready = true;
      attempt = 0;
      active = null;
      sync(); // subscribed before anyone sees "connected"
      setStatus('connected');
    } else if (frame.type === 'error') {
      console.warn('live:', frame.message);
    } else if (frame.type === 'batch') {
      frame.frames.forEach(dispatch);
    } else if (frame.type !== 'ping' && frame.type !== 'pong') {
      dispatch(frame);
    }
  };
  ws.onclose = (e) => {
    if (socket !== ws) return;
    socket = null;
    ready = false;
    active = null;
    if (e.code === UNAUTHORIZED) {
      setStatus('rejected');
      return;
    }
    scheduleRetry();
  };
}

function scheduleRetry() {
  if (!key) return;
  setStatus('reconnecting');
  const base = Math.min(MAX_DELAY_MS, 1000 * 2 ** attempt);
  attempt = Math.min(attempt + 1, 10);
  clearTimeout(retryTimer);
  retryTimer = setTimeout(connect, base / 2 + Math.random() * base / 2);
}

function retryNow() {
  if (!key || socket) return;
  clearTimeout(retryTimer);
  connect();
}

/** Brings the server's subscription in line with `wanted`. */
function sync() {
  if (!ready || !socket || same(active, wanted)) return;
  if (active) socket.send(JSON.stringify({type: 'unsubscribe', ...active}));
  if (wanted) socket.send(JSON.stringify({type: 'subscribe', ...wanted}));
  active = wanted;
}

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

function setStatus(s) {
  status = s;
  for (const fn of statusListeners) fn(s);
}
