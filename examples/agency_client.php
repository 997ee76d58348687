<?php
// Another agency's portal reading kla over HTTP/JSON, as a Laravel or
// CodeIgniter application would with plain PHP and curl: an OAuth 2.0 token
// for its INTEGRATION account, the final ranking of a cycle, one region's
// page data, and the notification feed (Server-Sent Events), resumed from a
// saved cursor so a restart continues where it stopped: no gap, no repeat.
//
//   klactl accounts create bps.integrasi --role integration --secret-file bps.key
//   php examples/agency_client.php --base http://127.0.0.1:7480 --client-id bps.integrasi \
//       --api-key-file bps.key --cycle simulasi-2025 --region 35.72 --cursor-file bps.cursor
//
// Debian: php-cli php-curl. Nothing of kla is used but its HTTP API
// (docs/openapi.json).

$opts = getopt('', ['base:', 'client-id:', 'api-key-file:', 'cycle:', 'region:', 'cursor-file:', 'max-events:',
                    'wait:', 'top:', 'lang:']);
foreach (['base', 'client-id', 'api-key-file', 'cycle'] as $required) {
    if (!isset($opts[$required])) {
        fwrite(STDERR, "usage: agency_client.php --base URL --client-id NAME --api-key-file FILE --cycle ID\n");
        exit(2);
    }
}
$base = rtrim($opts['base'], '/');
$lang = $opts['lang'] ?? 'id';
$top = (int)($opts['top'] ?? 10);
$maxEvents = (int)($opts['max-events'] ?? 20);
$wait = (int)($opts['wait'] ?? 5);

// One HTTP call; the decoded JSON answer. A kla error is a google.rpc.Status:
// its ErrorInfo reason and its message in our language.
function call(string $method, string $url, array $headers = [], ?string $body = null): array {
    $ch = curl_init($url);
    curl_setopt_array($ch, [CURLOPT_CUSTOMREQUEST => $method, CURLOPT_RETURNTRANSFER => true,
                            CURLOPT_HTTPHEADER => $headers, CURLOPT_TIMEOUT => 20]);
    if ($body !== null) curl_setopt($ch, CURLOPT_POSTFIELDS, $body);
    $text = curl_exec($ch);
    $status = curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
    if ($text === false) throw new RuntimeException("$url: " . curl_error($ch));
    $json = json_decode($text, true) ?? [];
    if ($status >= 400) {
        $reason = '';
        foreach ($json['details'] ?? [] as $d) {
            if (str_ends_with($d['@type'] ?? '', 'ErrorInfo')) $reason = $d['reason'];
        }
        $why = $json['message'] ?? $json['error_description'] ?? $text;
        throw new RuntimeException("HTTP $status $reason: $why");
    }
    return $json;
}

// 742,50 in Indonesian, 742.50 in English (hundredths in, text out).
function points(array $total, string $lang): string {
    $h = (int)($total['hundredths'] ?? 0);
    return number_format($h / 100, 2, $lang === 'id' ? ',' : '.', $lang === 'id' ? '.' : ',');
}

function predicate(?string $p): string {
    return ucfirst(strtolower(str_replace('PREDICATE_', '', $p ?? 'PREDICATE_NONE')));
}

try {
    // OAuth 2.0 client credentials (RFC 6749 §4.4): account name and API key.
    $key = trim(explode("\n", file_get_contents($opts['api-key-file']))[0]);
    $token = call('POST', "$base/v1/oauth2/token",
                  ['Authorization: Basic ' . base64_encode($opts['client-id'] . ':' . $key),
                   'Content-Type: application/x-www-form-urlencoded'],
                  'grant_type=client_credentials');
    $auth = ['Authorization: Bearer ' . $token['access_token'], "Accept-Language: $lang"];
    echo "signed in as {$opts['client-id']} (token for {$token['expires_in']} s)\n";

    // The final ranking, every page.
    $cycle = rawurlencode($opts['cycle']);
    $entries = [];
    $pageToken = '';
    do {
        $page = call('GET', "$base/v1/cycles/$cycle/ranking?view=RANKING_VIEW_FINAL&pageSize=200&pageToken="
                            . rawurlencode($pageToken), $auth);
        $entries = array_merge($entries, $page['entries'] ?? []);
        $pageToken = $page['nextPageToken'] ?? '';
    } while ($pageToken !== '');
    $awarded = count(array_filter($entries, fn($e) => !in_array($e['predicate'] ?? 'PREDICATE_UNSPECIFIED',
                                                               ['PREDICATE_UNSPECIFIED', 'PREDICATE_NONE'])));
    echo "final ranking {$opts['cycle']}: " . count($entries) . " ranked, $awarded awarded\n";
    foreach (array_slice($entries, 0, $top) as $e) {
        printf("%4d  %-40s %-30s %8s  %s\n", $e['rank'], $e['region']['name'], $e['province']['name'],
               points($e['total'] ?? [], $lang), predicate($e['predicate'] ?? null));
    }

    // One region's page: its score by cluster and its ranks.
    if (isset($opts['region'])) {
        $region = rawurlencode($opts['region']);
        $rank = call('GET', "$base/v1/cycles/$cycle/regions/$region/rank?view=RANKING_VIEW_FINAL", $auth);
        $e = $rank['entry'];
        printf("%s: rank %d of %d nationally, %d of %d in %s, %s points, %s\n", $e['region']['name'], $e['rank'],
               $rank['nationalCount'], $e['provinceRank'], $rank['provinceCount'], $e['province']['name'],
               points($e['total'] ?? [], $lang), predicate($e['predicate'] ?? null));
        $score = call('GET', "$base/v1/cycles/$cycle/regions/$region/score", $auth);
        foreach ($score['score']['clusters'] ?? [] as $c) {
            printf("  %-60s %8s / %s\n", $c['name'], points($c['earned'] ?? [], $lang),
                   points($c['possible'] ?? [], $lang));
        }
    }

    // The feed as Server-Sent Events, from where the last run stopped.
    $cursorFile = $opts['cursor-file'] ?? null;
    $cursor = ($cursorFile && file_exists($cursorFile)) ? (int)trim(file_get_contents($cursorFile)) : 0;
    $seen = 0;
    $buffer = '';
    $ch = curl_init("$base/v1/notifications:watch?language=$lang");
    curl_setopt_array($ch, [
        CURLOPT_HTTPHEADER => array_merge($auth, ['Accept: text/event-stream', "Last-Event-ID: $cursor"]),
        CURLOPT_TIMEOUT => $wait,
        CURLOPT_WRITEFUNCTION => function ($ch, $chunk) use (&$buffer, &$seen, &$cursor, $cursorFile, $maxEvents) {
            $buffer .= $chunk;
            while (($end = strpos($buffer, "\n\n")) !== false) {
                $event = substr($buffer, 0, $end);
                $buffer = substr($buffer, $end + 2);
                if (!preg_match('/^id: (\d+)$/m', $event, $id) || !preg_match('/^data: (.*)$/m', $event, $data)) {
                    continue;  // the retry line, a keep-alive comment
                }
                $n = json_decode($data[1], true);
                $cursor = (int)$id[1];
                $seen++;
                printf("feed %d  %-30s %s\n", $cursor, str_replace('EVENT_TYPE_', '', $n['type']),
                       $n['text']['title'] ?? '');
                if ($cursorFile) file_put_contents($cursorFile, "$cursor\n");
                if ($seen >= $maxEvents) return 0;  // enough: hang up
            }
            return strlen($chunk);
        },
    ]);
    curl_exec($ch);
    $status = curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
    if ($status !== 200) throw new RuntimeException("the feed answered HTTP $status");
    echo "feed: $seen notifications, cursor $cursor\n";
} catch (RuntimeException $e) {
    fwrite(STDERR, "agency_client.php: " . $e->getMessage() . "\n");
    exit(1);
}
