// An Element-stack Matrix client for koopbot's integration tests.
//
// matrix-js-sdk with the Rust crypto (initRustCrypto), as Element Web uses it. The test
// (tests/integration/test_element_client.py) drives it with one JSON object per line on
// stdin: {"id": 1, "op": "...", ...}; each answer is one JSON line on stdout:
// {"id": 1, "ok": true, ...} or {"id": 1, "ok": false, "error": "..."}. Everything the SDK
// logs goes to stderr.
//
// Ops: login, create_room, wait_member, send, wait_reply, own_cross_signing, stop.

// matrix-js-sdk 43 declares Node >= 22 for Promise.withResolvers; this is all it misses on 20.
if (typeof Promise.withResolvers !== "function") {
    Promise.withResolvers = function withResolvers() {
        let resolve, reject;
        const promise = new this((res, rej) => {
            resolve = res;
            reject = rej;
        });
        return { promise, resolve, reject };
    };
}

// stdout carries the protocol only
for (const level of ["log", "info", "debug", "trace", "warn"]) {
    console[level] = (...args) => console.error(...args);
}

const sdk = await import("matrix-js-sdk");
const cryptoApi = await import("matrix-js-sdk/lib/crypto-api/index.js");
const { logger } = await import("matrix-js-sdk/lib/logger.js");
logger.setLevel(process.env.ELEMENT_CLIENT_LOG_LEVEL || "warn");

let client = null;
let password = null;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what, timeoutMs, check) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const result = await check();
        if (result) return result;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(50);
    }
}

// UIA for uploading cross-signing keys: Synapse needs none for the first upload; if it
// asks, confirm with the password, as Element's dialog does.
async function authUpload(makeRequest) {
    try {
        await makeRequest(null);
    } catch (error) {
        const session = error?.data?.session;
        if (!error?.data?.flows) throw error;
        await makeRequest({
            type: "m.login.password",
            identifier: { type: "m.id.user", user: client.getUserId() },
            password,
            session,
        });
    }
}

const ops = {
    async login({ homeserver, user_id, device_id, access_token, password: pw }) {
        password = pw;
        client = sdk.createClient({
            baseUrl: homeserver,
            userId: user_id,
            deviceId: device_id,
            accessToken: access_token,
        });
        await client.initRustCrypto({ useIndexedDB: false });
        const crypto = client.getCrypto();
        await crypto.bootstrapCrossSigning({ authUploadDeviceSigningKeys: authUpload });
        // Element's "exclude insecure devices" (MSC4153)
        crypto.setDeviceIsolationMode(new cryptoApi.OnlySignedDevicesIsolationMode());
        const prepared = new Promise((resolve) => {
            client.on(sdk.ClientEvent.Sync, (state) => {
                if (state === "PREPARED" || state === "SYNCING") resolve();
            });
        });
        await client.startClient({ initialSyncLimit: 20 });
        await prepared;
        return { cross_signing_ready: await crypto.isCrossSigningReady() };
    },

    // Like Element: DMs are created encrypted, with is_direct and the trusted preset.
    async create_room({ invite = [], direct = false, name, encrypted = true }) {
        const options = {
            invite,
            is_direct: direct,
            preset: direct ? sdk.Preset.TrustedPrivateChat : sdk.Preset.PrivateChat,
            initial_state: encrypted
                ? [
                      {
                          type: "m.room.encryption",
                          state_key: "",
                          content: { algorithm: "m.megolm.v1.aes-sha2" },
                      },
                  ]
                : [],
        };
        if (name) options.name = name;
        const { room_id } = await client.createRoom(options);
        await until("the new room", 10000, () => client.getRoom(room_id));
        return { room_id };
    },

    async wait_member({ room_id, user_id, membership = "join", timeout_ms = 15000 }) {
        await until(`${user_id} ${membership} in ${room_id}`, timeout_ms, () => {
            const member = client.getRoom(room_id)?.getMember(user_id);
            return member?.membership === membership;
        });
        return {};
    },

    async send({ room_id, body }) {
        const { event_id } = await client.sendMessage(room_id, { msgtype: "m.text", body });
        return { event_id };
    },

    // The answer (m.in_reply_to) from `sender` to `event_id`: its decrypted text and the
    // shield Element would draw next to it. A decryption failure is reported, not hidden.
    async wait_reply({ room_id, event_id, sender, timeout_ms = 20000 }) {
        let failure = null;
        const reply = await until(`a reply to ${event_id}`, timeout_ms, async () => {
            const room = client.getRoom(room_id);
            if (!room) return null;
            for (const event of room.getLiveTimeline().getEvents()) {
                if (event.getSender() !== sender) continue;
                await client.decryptEventIfNeeded(event);
                if (event.isDecryptionFailure()) {
                    failure = {
                        event_id: event.getId(),
                        reason: event.decryptionFailureReason,
                    };
                    continue;
                }
                if (event.getType() !== "m.room.message") continue;
                const relation = event.getContent()["m.relates_to"] || {};
                if (relation["m.in_reply_to"]?.event_id === event_id) return event;
            }
            return null;
        }).catch((error) => {
            if (failure) {
                throw new Error(
                    `${error.message}; undecryptable from ${sender}: ${JSON.stringify(failure)}`,
                );
            }
            throw error;
        });
        const info = await client.getCrypto().getEncryptionInfoForEvent(reply);
        return {
            event_id: reply.getId(),
            body: reply.getContent().body,
            msgtype: reply.getContent().msgtype,
            encrypted: reply.isEncrypted(),
            shield_colour: info ? cryptoApi.EventShieldColour[info.shieldColour] : null,
            shield_reason:
                info && info.shieldReason !== null
                    ? cryptoApi.EventShieldReason[info.shieldReason]
                    : null,
        };
    },

    // How this client sees another user's device: cross-signed by its owner or not.
    async device_status({ user_id, device_id }) {
        const crypto = client.getCrypto();
        await crypto.getUserDeviceInfo([user_id], true);
        const status = await crypto.getDeviceVerificationStatus(user_id, device_id);
        return { signed_by_owner: status ? status.signedByOwner : null };
    },

    async stop() {
        client?.stopClient();
        setTimeout(() => process.exit(0), 50);
        return {};
    },
};

const reply = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

let buffer = "";
let queue = Promise.resolve();
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
    buffer += chunk;
    let newline;
    while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (!line) continue;
        const request = JSON.parse(line);
        // one request at a time, in order
        queue = queue.then(async () => {
            try {
                const op = ops[request.op];
                if (!op) throw new Error(`unknown op ${request.op}`);
                reply({ id: request.id, ok: true, ...(await op(request)) });
            } catch (error) {
                reply({ id: request.id, ok: false, error: String(error?.stack || error) });
            }
        });
    }
});
process.stdin.on("end", () => {
    client?.stopClient();
    process.exit(0);
});
reply({ id: 0, ok: true, ready: true, node: process.version });
