"""WooCommerce webhook signer, written from WooCommerce's source (WC_Webhook::generate_signature
and WC_Webhook::deliver, includes/class-wc-webhook.php) and docs
https://woocommerce.github.io/woocommerce-rest-api-docs/#webhooks:
X-WC-Webhook-Signature = base64 HMAC-SHA256 of the raw (JSON) body, keyed with the webhook's secret
(text). The event travels in X-WC-Webhook-Topic ("order.created") and the delivery id in
X-WC-Webhook-Delivery-ID.
"""
from _common import b64, emit, mac, read_case

if __name__ == "__main__":
    case = read_case()
    headers = {"X-WC-Webhook-Signature": b64(mac("sha256", case["secret"], case["body"]))}
    if "id" in case:
        headers["X-WC-Webhook-Delivery-ID"] = str(case["id"])
    emit(headers)
