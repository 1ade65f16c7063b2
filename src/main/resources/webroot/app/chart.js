// A uPlot line chart of clicks and human clicks. uPlot comes from /app/vendor/uplot (a classic
// script loaded before the modules), so it is a global here.

import {h} from './dom.js';

const HEIGHT = 260;

/** Creates the chart in `container`; returns {set(xs, clicks, human), destroy()}. */
export function clicksChart(container) {
  const U = globalThis.uPlot;
  if (!U) {
    container.append(h('p', {class: 'muted'}, 'The chart could not be loaded.'));
    return {set() {}, destroy() {}};
  }
  const css = getComputedStyle(document.documentElement);
  const color = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  const axis = {
    stroke: color('--muted', '#666'),
    grid: {stroke: color('--grid', '#eee'), width: 1},
    ticks: {stroke: color('--grid', '#eee'), width: 1},
  };
  const opts = {
    width: Math.max(200, container.clientWidth),
    height: HEIGHT,
    series: [
      {},
      {label: 'Clicks', stroke: color('--chart-1', '#2563eb'), fill: color('--chart-1-fill', 'rgba(37,99,235,.1)'), width: 2,
        points: {show: false}},
      {label: 'Human', stroke: color('--chart-2', '#16a34a'), width: 2, points: {show: false}},
    ],
    axes: [axis, {...axis, size: 48}],
    scales: {x: {time: true}, y: {range: (u, min, max) => [0, Math.max(4, Math.ceil(max * 1.1))]}},
    cursor: {drag: {x: false, y: false}},
  };
  const plot = new U(opts, [[], [], []], container);
  const resize = new ResizeObserver(() => {
    const w = Math.max(200, container.clientWidth);
    if (w !== plot.width) plot.setSize({width: w, height: HEIGHT});
  });
  resize.observe(container);
  return {
    set(xs, clicks, human) {
      plot.setData([xs, clicks, human]);
    },
    destroy() {
      resize.disconnect();
      plot.destroy();
    },
  };
}
