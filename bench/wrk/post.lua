-- wrk script for bench/pages.py: every request posts a NEW comment as a logged-in participant.
-- Arguments (after --): nonce (12 hex digits, new per run), session cookie, CSRF token and
-- form start token (both URL-encoded), and the text the comments start with (URL-encoded).
-- Each thread numbers its own posts, so every submission key is unique (32 hex digits).
-- Responses are counted by kind: 302 (saved, redirected to the thread), 200 (the form came
-- back: NOT saved) and others; the JSON line at the end carries these counts too.
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  nonce, cookie, csrf, started, text = args[1], args[2], args[3], args[4], args[5]
  counter, saved, shown_again, other = 0, 0, 0, 0
end

function request()
  counter = counter + 1
  local key = string.format("%04x%s%016x", tid, nonce, counter)
  local body = "csrf_token=" .. csrf .. "&submission_key=" .. key .. "&body=" .. text ..
    "+" .. tid .. "-" .. counter .. "&website=&form_started=" .. started
  return wrk.format("POST", nil, {["Content-Type"] = "application/x-www-form-urlencoded",
                                  ["Cookie"] = cookie}, body)
end

function response(status, headers, body)
  if status == 302 or status == 303 then
    saved = saved + 1
  elseif status == 200 then
    shown_again = shown_again + 1
  else
    other = other + 1
  end
end

-- The latency distribution as 200 quantiles (every half percent, in ms): bench/pages.py
-- measures a page and its baseline in alternating slices and pools the slices' latencies.
local function quantiles(latency)
  local q = {}
  for i = 1, 200 do q[i] = string.format("%.3f", latency:percentile(i / 2) / 1000) end
  return "[" .. table.concat(q, ",") .. "]"
end

function done(summary, latency, requests)
  local s, a, o = 0, 0, 0
  for _, thread in ipairs(threads) do
    s = s + thread:get("saved")
    a = a + thread:get("shown_again")
    o = o + thread:get("other")
  end
  local e = summary.errors
  io.write(string.format(
    'JSON:{"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50":%.3f,"p75":%.3f,"p90":%.3f,"p95":%.3f,"p99":%.3f,' ..
    '"mean":%.3f,"max":%.3f,"redirected":%d,"shown_again":%d,"other":%d,"q":%s}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50) / 1000, latency:percentile(75) / 1000,
    latency:percentile(90) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.mean / 1000, latency.max / 1000, s, a, o,
    quantiles(latency)))
end
