-- Rendered by edugate (local.d/rspamd.lua, read after the packaged rules).
--
-- An authenticated user may only put an address in From that they may send as. Postfix has
-- already checked the envelope sender against the mailplane_sender view
-- (reject_sender_login_mismatch), so the From header must be that same address: one
-- address, equal to MAIL FROM ignoring case. Anything else is refused with a 5xx.
local rspamd_logger = require "rspamd_logger"

rspamd_config:register_symbol({
  name = 'EDUGATE_FROM_NOT_SENDER',
  type = 'prefilter',
  -- before the rate limit (medium): a refused message does not count against the limit
  priority = 9,
  score = 0.0,
  group = 'edugate',
  description = 'From header is not the authenticated envelope sender',
  callback = function(task)
    local user = task:get_user()
    if not user then return end
    local envelope = task:get_from('smtp')
    local sender = envelope and envelope[1] and envelope[1].addr or ''
    local header = task:get_from('mime')
    local from = ''
    if header and #header == 1 and header[1].addr then
      from = header[1].addr
    end
    if sender ~= '' and from ~= '' and string.lower(from) == string.lower(sender) then
      return
    end
    rspamd_logger.infox(task, 'user %s: From <%s> is not the envelope sender <%s>',
        user, from, sender)
    task:insert_result('EDUGATE_FROM_NOT_SENDER', 1.0, from)
    task:set_pre_result('reject', '{{ messages.from_not_allowed }}', 'edugate')
  end,
})
