#!/bin/sh
# Start or stop a throwaway Debian apache2 on 127.0.0.1 for the TLS matrix (decision 14).
# Test-only: own config under WORKDIR, test PKI, never the system configuration.
#
#   httpd.sh start WORKDIR PKIDIR PORT_INIT12 PORT_LOC12 PORT_INIT13 PORT_LOC13 [PORT_WRONGHOST]
#   httpd.sh stop  WORKDIR
#
# Four virtual hosts: the client certificate asked for in the initial handshake, or only for
# <Location /cgi-bin/> (TLS 1.2: renegotiation; TLS 1.3: post-handshake auth), each TLS 1.2-only
# and TLS 1.3-only. /cgi-bin/echo answers with the client certificate's CN and the protocol.
# PORT_WRONGHOST, when given, serves a certificate for wrong.example (host-name mismatch tests).
set -eu

APACHE=${APACHE:-/usr/sbin/apache2}
MODULES=${APACHE_MODULES:-/usr/lib/apache2/modules}

cmd=$1
work=$2

if [ "$cmd" = stop ]; then
    if [ -f "$work/httpd.pid" ]; then
        kill "$(cat "$work/httpd.pid")" 2>/dev/null || true
        i=0
        while [ -f "$work/httpd.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    fi
    exit 0
fi

[ "$cmd" = start ] || { echo "usage: $0 start|stop WORKDIR ..." >&2; exit 2; }
pki=$3
p_init12=$4
p_loc12=$5
p_init13=$6
p_loc13=$7
p_wrong=${8:-}

mkdir -p "$work/cgi-bin"
chmod 755 "$work" "$work/cgi-bin"
cat > "$work/cgi-bin/echo" <<'CGI'
#!/bin/sh
body=$(head -c "${CONTENT_LENGTH:-0}")
printf 'Content-Type: text/plain\r\n\r\n'
printf 'cn=%s\nproto=%s\nbody=%s\n' "${SSL_CLIENT_S_DN_CN:-}" "${SSL_PROTOCOL:-}" "$body"
CGI
chmod 755 "$work/cgi-bin/echo"

user=""
if [ "$(id -u)" = 0 ]; then
    user="User nobody
Group nogroup"
fi

vhost() { # port protocol mode [certificate base name]
    cert=${4:-server}
    if [ "$3" = initial ]; then
        verify="SSLVerifyClient require"
        location=""
    else
        verify="SSLVerifyClient none"
        location="SSLVerifyClient require"
    fi
    cat <<VH
<VirtualHost 127.0.0.1:$1>
    ServerName localhost
    SSLEngine on
    SSLProtocol -all +$2
    SSLCertificateFile $pki/$cert.pem
    SSLCertificateKeyFile $pki/$cert.key
    SSLCACertificateFile $pki/ca.pem
    SSLVerifyDepth 3
    $verify
    <Location /cgi-bin/>
        $location
        SSLOptions +StdEnvVars
    </Location>
</VirtualHost>
VH
}

cat > "$work/httpd.conf" <<CONF
ServerRoot "$work"
LoadModule mpm_prefork_module $MODULES/mod_mpm_prefork.so
LoadModule authz_core_module $MODULES/mod_authz_core.so
LoadModule alias_module $MODULES/mod_alias.so
LoadModule cgi_module $MODULES/mod_cgi.so
LoadModule socache_shmcb_module $MODULES/mod_socache_shmcb.so
LoadModule ssl_module $MODULES/mod_ssl.so
$user
ServerName localhost
PidFile $work/httpd.pid
DefaultRuntimeDir $work
Mutex file:$work default
ErrorLog $work/error.log
LogLevel warn ssl:info
StartServers 2
MinSpareServers 1
MaxSpareServers 4
KeepAliveTimeout 5
Listen 127.0.0.1:$p_init12
Listen 127.0.0.1:$p_loc12
Listen 127.0.0.1:$p_init13
Listen 127.0.0.1:$p_loc13
SSLSessionCache shmcb:$work/ssl_scache(512000)
ScriptAlias /cgi-bin/ $work/cgi-bin/
<Directory $work/cgi-bin>
    Require all granted
</Directory>
$(vhost "$p_init12" TLSv1.2 initial)
$(vhost "$p_loc12" TLSv1.2 location)
$(vhost "$p_init13" TLSv1.3 initial)
$(vhost "$p_loc13" TLSv1.3 location)
CONF
if [ -n "$p_wrong" ]; then
    { echo "Listen 127.0.0.1:$p_wrong"; vhost "$p_wrong" TLSv1.2 initial server-wronghost; } >> "$work/httpd.conf"
fi

"$APACHE" -t -f "$work/httpd.conf" >"$work/configtest.log" 2>&1 || { cat "$work/configtest.log" >&2; exit 1; }
"$APACHE" -f "$work/httpd.conf" -k start
