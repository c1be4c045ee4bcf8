# Rendered by edugate: mail Rspamd marked as spam goes to Junk (before the user's own rules).
require ["fileinto", "mailbox"];
if anyof (header :is "X-Spam" "Yes", header :matches "X-Spam-Status" "Yes*") {
  fileinto :create "Junk";
  stop;
}
