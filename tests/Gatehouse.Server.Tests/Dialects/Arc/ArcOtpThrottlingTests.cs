using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gatehouse.Core.Accounts;
using Gatehouse.Core.Clients;
using Gatehouse.Core.Common;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests.Dialects.Arc;

/// <summary>
/// Dialect "arc": a cached OTP given in place of the password is checked under the account's
/// sign-in throttling (issue 19, finding 8): the lock first, every attempt counted, at least six
/// characters, five attempts per OTP, and a stored hash keyed with a server secret.
/// </summary>
public sealed class ArcOtpThrottlingTests(GatehouseFactory factory) : IClassFixture<GatehouseFactory>
{
    private readonly ArcApi _arc = new(factory);

    private Task<User> UserRowAsync(string email) => ThrottlingTests.UserRowAsync(factory, email);

    private async Task<string> CacheAsync(string admin, string email, string otp)
    {
        var cached = await _arc.PostAsync("/otp-caches", new { otp, username = email }, admin);
        var body = await cached.Content.ReadAsStringAsync();
        Assert.True(cached.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task A_locked_account_does_not_take_its_cached_otp_until_the_delay_has_passed()
    {
        var admin = await _arc.AdminTokenAsync();
        var client = await _arc.CreateClientAsync();
        var email = await _arc.UserOnClientAsync(client);
        await CacheAsync(admin, email, "424242");
        for (var i = 0; i < 6; i++)
        {
            await _arc.Native.PostAsync("/api/v1/account/sign-in", new { login = email, password = "wrong guess " + i });
        }

        await ArcApi.AssertObjectErrorAsync(await _arc.LoginRawAsync(client, email, "424242"), HttpStatusCode.Unauthorized, "Invalid Credentials");

        factory.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(HttpStatusCode.OK, (await _arc.LoginRawAsync(client, email, "424242")).StatusCode);
    }

    [Fact]
    public async Task Fifty_parallel_wrong_guesses_lock_the_account_and_void_the_otp()
    {
        var admin = await _arc.AdminTokenAsync();
        var client = await _arc.CreateClientAsync();
        var email = await _arc.UserOnClientAsync(client);
        await CacheAsync(admin, email, "424242");

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => _arc.LoginRawAsync(client, email, (100000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture))));

        foreach (var answer in answers)
        {
            await ArcApi.AssertObjectErrorAsync(answer, HttpStatusCode.Unauthorized, "Invalid Credentials");
        }
        // Counted as sequential guesses: five free failures, the sixth locks for a second.
        Assert.Equal(6, (await UserRowAsync(email)).FailedSignIns);
        factory.Clock.Advance(TimeSpan.FromSeconds(2));
        // More than five attempts were made while the OTP was open: it is void, the password is not.
        await ArcApi.AssertObjectErrorAsync(await _arc.LoginRawAsync(client, email, "424242"), HttpStatusCode.Unauthorized, "Invalid Credentials");
        // That seventh failure doubled the delay to two seconds.
        factory.Clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(HttpStatusCode.OK, (await _arc.LoginRawAsync(client, email)).StatusCode);
    }

    [Fact]
    public async Task An_otp_of_fewer_than_six_characters_is_refused_with_422()
    {
        var admin = await _arc.AdminTokenAsync();
        var client = await _arc.CreateClientAsync();
        var email = await _arc.UserOnClientAsync(client);

        await ArcApi.AssertErrorAsync(await _arc.PostAsync("/otp-caches", new { otp = "1", username = email }, admin), HttpStatusCode.UnprocessableEntity, "The OTP must be 6 to 128 characters.");
        await ArcApi.AssertErrorAsync(await _arc.PostAsync("/otp-caches", new { otp = "12345", username = email }, admin), HttpStatusCode.UnprocessableEntity, "The OTP must be 6 to 128 characters.");
        await CacheAsync(admin, email, "123456");
    }

    [Fact]
    public async Task The_stored_otp_hash_is_keyed_with_a_server_secret_that_the_database_holds_only_encrypted()
    {
        var admin = await _arc.AdminTokenAsync();
        var client = await _arc.CreateClientAsync();
        var email = await _arc.UserOnClientAsync(client);
        var id = await CacheAsync(admin, email, "424242");
        var user = await UserRowAsync(email);

        await using var scope = factory.Services.CreateAsyncScope();
        var row = (await scope.ServiceProvider.GetRequiredService<ISignInOtpRepository>().FindAsync(id))!;
        // What a database read gives: the hash and the key as Data Protection encrypted it.
        var storedKey = await scope.ServiceProvider.GetRequiredService<IServerSecretStore>().GetOrAddAsync(SignInOtpHasher.KeyName, "unused");

        // Not a plain hash of user and OTP, which anyone could compute for every six-digit OTP.
        Assert.NotEqual(SecureTokens.Hash("otp\n" + user.Id + "\n424242"), row.Hash);
        // It is the HMAC under the key that only Data Protection opens.
        var key = System.Buffers.Text.Base64Url.DecodeFromChars(scope.ServiceProvider.GetRequiredService<ISecretProtector>().Unprotect(storedKey));
        Assert.Equal(Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes("otp\n" + user.Id + "\n424242"))), row.Hash);
        Assert.NotEqual(System.Buffers.Text.Base64Url.EncodeToString(key), storedKey);
        Assert.Equal(HttpStatusCode.OK, (await _arc.LoginRawAsync(client, email, "424242")).StatusCode);
    }
}
