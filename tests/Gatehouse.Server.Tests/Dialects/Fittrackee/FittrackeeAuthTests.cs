using System.Net;
using System.Text.Json;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Dialects.Fittrackee;

/// <summary>Register, login, logout, profile and profile edit of the FitTrackee dialect (CONTRACTS.md "004").</summary>
public sealed class FittrackeeAuthTests(GatehouseFactory factory) : IClassFixture<GatehouseFactory>
{
    private readonly FittrackeeClient _api = new(factory.CreateClient());

    [Fact]
    public async Task Register_answers_201_with_an_auth_token_that_opens_the_profile()
    {
        var email = Emails.New("ft");
        var username = FittrackeeClient.NewUsername();
        var answer = await _api.RegisterAsync(username, email);

        Assert.Equal(HttpStatusCode.Created, answer.Status);
        Golden.AssertMatches("fittrackee/register.json", answer.Body);
        var profile = await _api.ProfileAsync(answer.Json.GetProperty("auth_token").GetString());
        Assert.Equal(HttpStatusCode.OK, profile.Status);
        Golden.AssertMatches("fittrackee/profile.json", profile.Body);
        Assert.Equal(username, profile.Json.GetProperty("data").GetProperty("username").GetString());
        Assert.Equal(email, profile.Json.GetProperty("data").GetProperty("email").GetString());
    }

    [Fact]
    public async Task Register_lists_every_failed_rule_in_the_original_order()
    {
        var answer = await _api.RegisterAsync("ab", "not-an-email", "short", "other");
        FittrackeeClient.AssertError(answer, HttpStatusCode.BadRequest,
            "Errors: Username: 3 to 12 characters required.\nValid email must be provided.\nPassword and password confirmation don't match.\nPassword: 8 characters required.\n");
        Golden.AssertMatches("fittrackee/error.json", answer.Body);
    }

    [Theory]
    [InlineData("ab", "ok", "Errors: Username: 3 to 12 characters required.\n")]
    [InlineData("thirteenchars", "ok", "Errors: Username: 3 to 12 characters required.\n")]
    [InlineData("fine", "bad email", "Errors: Valid email must be provided.\n")]
    [InlineData("fine", "mismatch", "Errors: Password and password confirmation don't match.\n")]
    [InlineData("fine", "short", "Errors: Password: 8 characters required.\n")]
    public async Task Register_reports_each_rule_on_its_own(string username, string variant, string message)
    {
        var email = variant == "bad email" ? "nobody@" : Emails.New("ft");
        var password = variant == "short" ? "seven77" : FittrackeeClient.Password;
        var confirmation = variant == "mismatch" ? "something else entirely" : password;
        var name = username == "fine" ? FittrackeeClient.NewUsername() : username;
        FittrackeeClient.AssertError(await _api.RegisterAsync(name, email, password, confirmation), HttpStatusCode.BadRequest, message);
    }

    [Theory]
    [InlineData("""{"email":"a@example.com","password":"fittrackee passphrase","password_conf":"fittrackee passphrase"}""")]
    [InlineData("""{"username":"abc","password":"fittrackee passphrase","password_conf":"fittrackee passphrase"}""")]
    [InlineData("""{"username":"abc","email":"a@example.com","password_conf":"fittrackee passphrase"}""")]
    [InlineData("""{"username":"abc","email":"a@example.com","password":"fittrackee passphrase"}""")]
    [InlineData("{}")]
    [InlineData("null")]
    [InlineData("[]")]
    public async Task Register_with_a_missing_field_is_an_invalid_payload(string json) =>
        FittrackeeClient.AssertError(await _api.PostJsonAsync("/register", json), HttpStatusCode.BadRequest, "Invalid payload.");

    [Fact]
    public async Task Register_with_a_taken_email_or_username_says_the_user_already_exists()
    {
        var email = Emails.New("ft");
        var username = FittrackeeClient.NewUsername();
        Assert.Equal(HttpStatusCode.Created, (await _api.RegisterAsync(username, email)).Status);

        FittrackeeClient.AssertError(await _api.RegisterAsync(FittrackeeClient.NewUsername(), email.ToUpperInvariant()), HttpStatusCode.BadRequest, "Sorry. That user already exists.");
        FittrackeeClient.AssertError(await _api.RegisterAsync(username, Emails.New("ft")), HttpStatusCode.BadRequest, "Sorry. That user already exists.");
    }

    [Fact]
    public async Task Login_answers_200_with_an_auth_token()
    {
        var (email, _) = await _api.NewUserAsync();
        var answer = await _api.LoginAsync(email);
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Golden.AssertMatches("fittrackee/login.json", answer.Body);
        Assert.Equal(HttpStatusCode.OK, (await _api.ProfileAsync(answer.Json.GetProperty("auth_token").GetString())).Status);
    }

    [Fact]
    public async Task Login_with_a_wrong_password_or_an_unknown_email_is_404_invalid_credentials()
    {
        var (email, _) = await _api.NewUserAsync();
        FittrackeeClient.AssertError(await _api.LoginAsync(email, "not the password"), HttpStatusCode.NotFound, "Invalid credentials.");
        FittrackeeClient.AssertError(await _api.LoginAsync(Emails.New("nobody")), HttpStatusCode.NotFound, "Invalid credentials.");
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"email":"a@example.com"}""")]
    [InlineData("""{"password":"x"}""")]
    public async Task Login_without_email_or_password_is_an_invalid_payload(string json) =>
        FittrackeeClient.AssertError(await _api.PostJsonAsync("/login", json), HttpStatusCode.BadRequest, "Invalid payload.");

    [Fact]
    public async Task Logout_answers_200_and_the_token_is_refused_afterwards()
    {
        var (_, token) = await _api.NewUserAsync();
        var answer = await _api.SendAsync(HttpMethod.Get, "/logout", token);
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Golden.AssertMatches("fittrackee/logout.json", answer.Body);

        // Secure: the original left the token valid after logout.
        FittrackeeClient.AssertError(await _api.ProfileAsync(token), HttpStatusCode.Unauthorized, "Invalid token. Please log in again.");
        FittrackeeClient.AssertError(await _api.SendAsync(HttpMethod.Get, "/logout", token), HttpStatusCode.Unauthorized, "Invalid token. Please log in again.");
    }

    [Theory]
    [InlineData("GET", "/logout")]
    [InlineData("GET", "/profile")]
    [InlineData("POST", "/profile/edit")]
    [InlineData("POST", "/picture")]
    [InlineData("DELETE", "/picture")]
    public async Task Protected_routes_refuse_a_missing_or_invalid_token(string method, string path)
    {
        FittrackeeClient.AssertError(await _api.SendAsync(new HttpMethod(method), path), HttpStatusCode.Unauthorized, "Provide a valid auth token.");
        FittrackeeClient.AssertError(await _api.SendAsync(new HttpMethod(method), path, "not.a.jwt"), HttpStatusCode.Unauthorized, "Invalid token. Please log in again.");
        var (_, token) = await _api.NewUserAsync();
        var tampered = token[..^4] + (token[^4..] == "AAAA" ? "BBBB" : "AAAA");
        FittrackeeClient.AssertError(await _api.SendAsync(new HttpMethod(method), path, tampered), HttpStatusCode.Unauthorized, "Invalid token. Please log in again.");
    }

    [Fact]
    public async Task Profile_edit_replaces_the_profile_and_answers_with_it()
    {
        var (_, token) = await _api.NewUserAsync();
        var answer = await _api.PostJsonAsync("/profile/edit",
            """{"first_name":"Sam","last_name":"Runner","bio":"Runs on Sundays.","location":"Lyon","birth_date":"1990-05-17","timezone":"Europe/Paris"}""", token);
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Golden.AssertMatches("fittrackee/profile_edit.json", answer.Body);
        Assert.Equal("Sam", (await _api.ProfileAsync(token)).Json.GetProperty("data").GetProperty("first_name").GetString());

        // The form is the whole profile: what is left out is cleared.
        var cleared = await _api.PostJsonAsync("/profile/edit", """{"first_name":"Sam","birth_date":""}""", token);
        Assert.Equal(HttpStatusCode.OK, cleared.Status);
        var data = cleared.Json.GetProperty("data");
        Assert.Equal(JsonValueKind.Null, data.GetProperty("bio").ValueKind);
        Assert.Equal(JsonValueKind.Null, data.GetProperty("birth_date").ValueKind);
        Assert.Equal("Sam", data.GetProperty("first_name").GetString());
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("null")]
    [InlineData("""{"birth_date":"17/05/1990"}""")]
    [InlineData("""{"birth_date":"1990-02-30"}""")]
    [InlineData("""{"first_name":12}""")]
    [InlineData("""{"timezone":"Mars/Olympus_Mons"}""")]
    public async Task Profile_edit_with_an_empty_or_bad_body_is_a_400(string json)
    {
        var (_, token) = await _api.NewUserAsync();
        FittrackeeClient.AssertError(await _api.PostJsonAsync("/profile/edit", json, token), HttpStatusCode.BadRequest, "Invalid payload.");
    }

    [Fact]
    public async Task Profile_edit_with_different_password_and_confirmation_is_refused_and_changes_nothing()
    {
        var (email, token) = await _api.NewUserAsync();
        var answer = await _api.PostJsonAsync("/profile/edit", """{"first_name":"Changed","password":"a new passphrase","password_conf":"another passphrase"}""", token);
        FittrackeeClient.AssertError(answer, HttpStatusCode.BadRequest, "Password and password confirmation don't match.");
        Assert.Equal(JsonValueKind.Null, (await _api.ProfileAsync(token)).Json.GetProperty("data").GetProperty("first_name").ValueKind);
        Assert.Equal(HttpStatusCode.OK, (await _api.LoginAsync(email)).Status);
    }

    [Fact]
    public async Task Profile_edit_with_a_password_changes_it_and_keeps_only_the_current_session()
    {
        var (email, token) = await _api.NewUserAsync();
        var other = (await _api.LoginAsync(email)).Json.GetProperty("auth_token").GetString();

        var answer = await _api.PostJsonAsync("/profile/edit", """{"first_name":"Sam","password":"a new passphrase","password_conf":"a new passphrase"}""", token);
        Assert.Equal(HttpStatusCode.OK, answer.Status);

        FittrackeeClient.AssertError(await _api.LoginAsync(email), HttpStatusCode.NotFound, "Invalid credentials.");
        Assert.Equal(HttpStatusCode.OK, (await _api.LoginAsync(email, "a new passphrase")).Status);
        Assert.Equal(HttpStatusCode.OK, (await _api.ProfileAsync(token)).Status);
        FittrackeeClient.AssertError(await _api.ProfileAsync(other), HttpStatusCode.Unauthorized, "Invalid token. Please log in again.");

        FittrackeeClient.AssertError(await _api.PostJsonAsync("/profile/edit", """{"password":"short","password_conf":"short"}""", token),
            HttpStatusCode.BadRequest, "Password: 8 characters required.");
    }

    [Fact]
    public async Task A_user_registered_here_signs_in_through_the_native_api()
    {
        var (email, _) = await _api.NewUserAsync();
        var native = factory.Native();
        var tokens = await native.SignInAsync(email, FittrackeeClient.Password);
        Assert.Equal(HttpStatusCode.OK, (await native.MeAsync(tokens.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task A_user_created_through_the_native_api_logs_in_here()
    {
        var email = Emails.New("native");
        await factory.Native().RegisterAsync(email);
        var answer = await _api.LoginAsync(email, NativeClient.Password);
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var profile = await _api.ProfileAsync(answer.Json.GetProperty("auth_token").GetString());
        Assert.Equal(email, profile.Json.GetProperty("data").GetProperty("email").GetString());
        Assert.Equal(JsonValueKind.Null, profile.Json.GetProperty("data").GetProperty("username").ValueKind);
    }

    [Fact]
    public async Task An_admin_shows_as_admin_in_the_profile()
    {
        var (email, password) = await factory.CreateAdminAsync();
        var token = (await _api.LoginAsync(email, password)).Json.GetProperty("auth_token").GetString();
        Assert.True((await _api.ProfileAsync(token)).Json.GetProperty("data").GetProperty("admin").GetBoolean());
    }
}
