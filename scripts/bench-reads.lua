-- wrk script of scripts/bench-reads.sh: each request asks for a random line
-- of the paths file given after --. With "seq" after the file, each thread
-- walks its half of the lines in order, round and round (the warm-up pass
-- that reads every shop; wrk itself stops only at the end of -d).
local paths, seq, i, first, last = {}, false, 0, 0, 0
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  seq = args[2] == "seq"
  math.randomseed(os.time() + (id or 0) * 7919)
  if seq then
    local n = math.ceil(#paths / 2)
    first = ((id or 1) - 1) * n
    i, last = first, math.min(#paths, first + n)
  end
end
function request()
  if seq then
    i = i + 1
    if i > last then i = first + 1 end
    return wrk.format("GET", paths[i])
  end
  return wrk.format("GET", paths[math.random(#paths)])
end
