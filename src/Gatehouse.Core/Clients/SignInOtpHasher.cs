using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Gatehouse.Core.Common;

namespace Gatehouse.Core.Clients;

/// <summary>
/// The stored form of a cached sign-in OTP: HMAC-SHA256 over user id and OTP, keyed with a
/// server secret. OTPs are short and chosen by people or services, so a plain hash would let
/// anyone who reads the database try every candidate offline; the key is kept as the other
/// secrets are, encrypted by Data Protection (<see cref="ISecretProtector"/>), so a database read
/// alone does not give it (it is as safe as the Data Protection key ring). Made once per database,
/// read once per process, at the first OTP cached or tried (that first read writes outside the
/// caller's unit of work, so it is never called inside a write transaction). Register as a singleton.
/// </summary>
public sealed class SignInOtpHasher(IServerSecretStore secrets, ISecretProtector protector)
{
    /// <summary>The name of the key in the server's secrets.</summary>
    public const string KeyName = "sign_in_otp_hmac_key";

    private readonly SemaphoreSlim _loading = new(1, 1);
    private byte[]? _key;

    /// <summary>The stored hash of <paramref name="otp"/> for <paramref name="userId"/>, lower-case hex.</summary>
    public async ValueTask<string> HashAsync(string userId, string otp, CancellationToken cancellationToken = default)
    {
        var key = Volatile.Read(ref _key) ?? await LoadKeyAsync(cancellationToken);
        // The user id is part of the message, so equal OTPs of two users never share a row.
        var message = Encoding.UTF8.GetBytes("otp\n" + userId + "\n" + otp);
        try
        {
            return Convert.ToHexStringLower(HMACSHA256.HashData(key, message));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(message);
        }
    }

    private async Task<byte[]> LoadKeyAsync(CancellationToken cancellationToken)
    {
        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (_key is null)
            {
                var stored = await secrets.GetOrAddAsync(KeyName, protector.Protect(SecureTokens.New(32)), cancellationToken);
                Volatile.Write(ref _key, Base64Url.DecodeFromChars(protector.Unprotect(stored)));
            }
            return _key!;
        }
        finally
        {
            _loading.Release();
        }
    }
}
