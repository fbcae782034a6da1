# Sourced by bench/run.sh when tests/apache/httpd.sh exists: paygent_core::Module against a real
# Apache httpd (OpenSSL server, prefork), client certificate asked in the initial handshake or
# late (TLS 1.2 renegotiation / TLS 1.3 post-handshake auth for <Location /cgi-bin/>).
# The reply comes from a tiny CGI script: each telegram also pays Apache's per-request cost
# (mod_cgi fork+exec; curl sees the same), which dominates. The figures compare the TLS modes
# (what a late certificate request costs a one-shot telegram), not the module's own cost.

apache_bench() {
    local apache=${APACHE:-/usr/sbin/apache2}
    if [ ! -x "$apache" ]; then
        note "Apache: $apache not installed — Apache bench skipped"
        return 0
    fi
    apache_dir="$work/apache"
    mkdir -p "$apache_dir/cgi-bin"
    # prefork children run as nobody when started by root: they must reach the CGI dir.
    chmod 755 "$work"
    local ports
    ports=$(perl -MIO::Socket::INET -e 'my @s = map { IO::Socket::INET->new(Listen => 1,
        LocalAddr => "127.0.0.1", LocalPort => 0) or die $! } 1 .. 4;
        print join(" ", map { $_->sockport } @s)') || { harness_error "Apache: no free ports"; return 0; }
    # shellcheck disable=SC2086
    # Not pinned: prefork + CGI squeezed onto one CPU stalls ~40 ms per request.
    if ! sh "$root/tests/apache/httpd.sh" start "$apache_dir" "$work/pki" $ports \
        >"$work/apache-start.log" 2>&1; then
        harness_error "Apache did not start: $(tail -n 5 "$work/apache-start.log")"
        return 0
    fi
    printf '#!/bin/sh\nprintf "Content-Type: text/html\\r\\n\\r\\nresult=0\\r\\nresponse_code=\\r\\nresponse_detail=\\r\\npayment_id=1\\r\\n"\n' \
        >"$apache_dir/cgi-bin/pay"
    chmod 755 "$apache_dir/cgi-bin/pay"
    local names=("TLS 1.2, cert in the handshake" "TLS 1.2, cert by renegotiation"
        "TLS 1.3, cert in the handshake" "TLS 1.3, cert by post-handshake auth")
    local tags=(tls1.2-initial tls1.2-renegotiation tls1.3-initial tls1.3-post-handshake-auth)
    local i=0 p
    for p in $ports; do
        for _ in $(seq 1 50); do
            (exec 5<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && break
            sleep 0.1
        done
        url_card="https://localhost:$p/cgi-bin/pay" write_apache_props "$work/apache-$p"
        local pooled_a oneshot_a
        read -r pooled_a oneshot_a < <(ROUNDS=1 rounds loop \
            "apache ${tags[$i]} pooled::$bench loop --config $work/apache-$p/pooled.php --count ${APACHE_N[0]} --batch ${APACHE_N[1]} --warmup ${APACHE_N[2]}" \
            "apache ${tags[$i]} one-shot::$bench loop --config $work/apache-$p/oneshot.php --count ${APACHE_N[0]} --batch ${APACHE_N[1]} --warmup ${APACHE_N[2]}")
        if [ "$pooled_a" != - ] && [ "$oneshot_a" != - ]; then
            row "Apache httpd ($(basename "$apache")), ${names[$i]}: pooled vs one-shot (CGI reply)" \
                "$pooled_a µs" "$oneshot_a µs" "$(calc "$oneshot_a / $pooled_a")× faster" \
                "(info: server-side CGI cost dominates)" "—"
        fi
        i=$((i + 1))
    done
}

# write_apache_props DIR: pooled.php and oneshot.php for $url_card.
write_apache_props() {
    write_props "$1/pooled.php"
    write_props "$1/oneshot.php" 'paygentB2Bmodule.keep_alive=false'
}

apache_bench
