# Dropbox (file change) webhooks.
# Source: https://www.dropbox.com/developers/reference/webhooks : X-Dropbox-Signature is the HMAC-SHA256
#   signature of the entire request body using the app secret as key (tutorial compares its hexdigest).
from _common import read_case, mac, hex_, emit

case = read_case()
emit({"X-Dropbox-Signature": hex_(mac("sha256", case["secret"], case["body"]))})
