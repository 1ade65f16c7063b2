-- The RESULT line both redirect scripts print when wrk ends (slugs.lua, visitors.lua): loaded
-- with dofile from the script's own folder.
--   RESULT rps=<req/s> p50_ms=<> p90_ms=<> p99_ms=<> p999_ms=<> max_ms=<>
--          requests=<n> bytes_per_resp=<> http_errors=<n> sock_errors=<n> duration_s=<>

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  local bpr = 0
  if summary.requests > 0 then bpr = summary.bytes / summary.requests end
  io.write(string.format(
    "RESULT rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f " ..
    "requests=%d bytes_per_resp=%.1f http_errors=%d sock_errors=%d duration_s=%.2f\n",
    summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    latency.max / 1000,
    summary.requests, bpr, e.status,
    e.connect + e.read + e.write + e.timeout, secs))
end
