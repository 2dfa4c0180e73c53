-- wrk script for bench/pages.py: plain GETs; at the end one line "JSON:{...}" with the
-- request count, the errors by kind and the latency percentiles in milliseconds.
-- The latency distribution as 200 quantiles (every half percent, in ms): bench/pages.py
-- measures a page and its baseline in alternating slices and pools the slices' latencies.
local function quantiles(latency)
  local q = {}
  for i = 1, 200 do q[i] = string.format("%.3f", latency:percentile(i / 2) / 1000) end
  return "[" .. table.concat(q, ",") .. "]"
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'JSON:{"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50":%.3f,"p75":%.3f,"p90":%.3f,"p95":%.3f,"p99":%.3f,' ..
    '"mean":%.3f,"max":%.3f,"q":%s}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50) / 1000, latency:percentile(75) / 1000,
    latency:percentile(90) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.mean / 1000, latency.max / 1000,
    quantiles(latency)))
end
