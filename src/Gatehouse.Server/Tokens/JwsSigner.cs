using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Server.Tokens;

/// <summary>
/// Signs compact JWS tokens (RFC 7515) with one key: ES256 (P-256, the signature as r || s) or
/// RS256 (PKCS #1 v1.5). The protected header is the same for every token of a key, so it is
/// encoded once. Issuing an access token is on the refresh path; writing the token directly
/// avoids the general-purpose token handler's per-token descriptor, claim dictionary and
/// signature-provider lookups (about a fifth of the cost of issuing, signing aside).
/// Tokens are still read and verified with <c>JsonWebTokenHandler</c>.
/// </summary>
internal sealed class JwsSigner
{
    // Nothing here is embedded in HTML and all of it is base64url-encoded, so characters such as
    // '+' are written as themselves ("at+jwt", not "at\u002Bjwt"), as other JWT libraries do.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly byte[] _encodedHeader;
    private readonly ECDsa? _ecdsa;
    private readonly RSA? _rsa;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_payload;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public JwsSigner(SecurityKey key, string algorithm, string type)
    {
        (_ecdsa, _rsa) = (key, algorithm) switch
        {
            (ECDsaSecurityKey ec, SecurityAlgorithms.EcdsaSha256) => (ec.ECDsa, (RSA?)null),
            (RsaSecurityKey { Rsa: { } rsa }, SecurityAlgorithms.RsaSha256) => (null, rsa),
            _ => throw new ArgumentException($"A {key.GetType().Name} cannot sign {algorithm}.", nameof(key)),
        };
        var header = new ArrayBufferWriter<byte>(128);
        using (var json = new Utf8JsonWriter(header, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("alg", algorithm);
            json.WriteString("kid", key.KeyId);
            json.WriteString("typ", type);
            json.WriteEndObject();
        }
        _encodedHeader = Base64Url.EncodeToUtf8(header.WrittenSpan);
    }

    /// <summary>A signed token whose payload is the JSON object <paramref name="writeClaims"/> writes (between its braces).</summary>
    public string Sign<TState>(TState state, Action<Utf8JsonWriter, TState> writeClaims)
    {
        var payload = t_payload ??= new ArrayBufferWriter<byte>(512);
        payload.ResetWrittenCount();
        var json = t_writer ??= new Utf8JsonWriter(payload, WriterOptions);
        json.Reset(payload);
        json.WriteStartObject();
        writeClaims(json, state);
        json.WriteEndObject();
        json.Flush();

        // header "." payload, then "." signature, all base64url.
        var payloadLength = Base64Url.GetEncodedLength(payload.WrittenCount);
        var signingLength = _encodedHeader.Length + 1 + payloadLength;
        var signatureSize = _ecdsa is not null ? 64 : _rsa!.KeySize / 8;
        var total = signingLength + 1 + Base64Url.GetEncodedLength(signatureSize);
        var rented = ArrayPool<byte>.Shared.Rent(total + signatureSize);
        try
        {
            var token = rented.AsSpan(0, total);
            _encodedHeader.CopyTo(token);
            token[_encodedHeader.Length] = (byte)'.';
            Base64Url.EncodeToUtf8(payload.WrittenSpan, token.Slice(_encodedHeader.Length + 1, payloadLength), out _, out _);
            var signature = rented.AsSpan(total, signatureSize);
            var signed = _ecdsa is not null
                ? _ecdsa.TrySignData(token[..signingLength], signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation, out var written)
                : _rsa!.TrySignData(token[..signingLength], signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, out written);
            if (!signed || written != signatureSize)
            {
                throw new CryptographicException("The token could not be signed.");
            }
            token[signingLength] = (byte)'.';
            Base64Url.EncodeToUtf8(signature, token[(signingLength + 1)..], out _, out _);
            return Encoding.ASCII.GetString(token);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
