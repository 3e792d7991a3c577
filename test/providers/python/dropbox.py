# Dropbox (file change) webhooks.
# Source: https://www.dropbox.com/developers/reference/webhooks : X-Dropbox-Signature is the HMAC-SHA256
#   signature of the entire request body using the app secret as key (tutorial compares its hexdigest).
from _common import emit, hexd, mac, read_case

case = read_case()
emit({"X-Dropbox-Signature": hexd(mac("sha256", case["secret"], case["body"]))})
