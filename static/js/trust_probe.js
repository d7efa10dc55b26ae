/* The check-in page registers this service worker only to learn whether the phone trusts the
   server's certificate: browsers refuse to install a service worker (SecurityError) over a
   connection whose certificate they do not trust, which is also when they keep nothing in
   their cache. It handles no events, so it never stands between the page and the network. */
