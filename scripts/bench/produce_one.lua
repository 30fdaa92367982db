-- wrk script: one record per request to POST /api/v1/produce (unbatched,
-- keep-alive), a 1 KiB value by default (env GAFKA_WRK_SIZE), to the topic
-- GAFKA_WRK_TOPIC (default "wrk"). The request is built once; wrk itself
-- reports any answer that is not 2xx ("Non-2xx or 3xx responses").
local topic = os.getenv("GAFKA_WRK_TOPIC") or "wrk"
local size = tonumber(os.getenv("GAFKA_WRK_SIZE") or "1024")
local value = string.rep("abcdefghijklmnopqrstuvwxyz", math.ceil(size / 26)):sub(1, size)

wrk.method = "POST"
wrk.path = "/api/v1/produce"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"topic":"' .. topic .. '","value":"' .. value .. '"}'
