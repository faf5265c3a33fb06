using System.Text.RegularExpressions;
using Gatehouse.Core.Accounts;
using Gatehouse.Core.Admin;
using Gatehouse.Core.Audit;
using Gatehouse.Core.Clients;
using Gatehouse.Core.Common;
using Gatehouse.Core.Mail;
using Gatehouse.Core.Pictures;
using Gatehouse.Core.Security;
using Gatehouse.Core.Sessions;
using Gatehouse.Core.Teams;
using Gatehouse.Core.Tokens;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Core.Tests.Fakes;

/// <summary>The options the core services are built with; change them before the first scope.</summary>
internal sealed class HarnessOptions
{
    public TokenOptions Tokens { get; } = new();
    public RegistrationOptions Registration { get; } = new();
    public SignInOptions SignIn { get; } = new();
    public MailLimitOptions MailLimits { get; } = new();
    public LinkOptions Links { get; } = new() { PublicBaseUrl = "https://auth.test" };
    public PasswordOptions Passwords { get; } = new();
}

/// <summary>
/// The real core services over the in-memory fakes, with lifetimes as the server gives them
/// (src/Gatehouse.Server/Hosting/GatehouseServices.cs): the clock, the database, the caches and
/// the bearer check are shared; each <see cref="Scope"/> is one request, with its own unit of
/// work and the services built over it. The shortcut properties (<see cref="Accounts"/>, …)
/// each open a new scope, so every call through them is a request of its own.
/// </summary>
internal sealed class CoreHarness
{
    /// <summary>Where the clock starts (a fixed time, so tests never depend on the real one).</summary>
    public static readonly DateTimeOffset Start = new(2030, 1, 15, 9, 0, 0, TimeSpan.Zero);

    public const string Password = "correct horse battery staple";

    public CoreHarness(Action<HarnessOptions>? configure = null)
    {
        configure?.Invoke(Options);
        Clock = new FakeTimeProvider(Start);
        AccessTokens = new FakeAccessTokenService(Clock);
        Rotations = new InMemoryRefreshRotationStore(Database);
        StateReader = new InMemorySessionStateReader(Database);
        StateCache = new SessionStateCache(StateReader, Clock, TokenOptions);
        UserCache = new UserReadCache(new InMemoryUserReader(Database), Clock, TokenOptions);
        Database.UserListener = UserCache;
        Bearer = new BearerAuthenticator(AccessTokens, StateCache);
        Successors = new SuccessorVault(Clock, TokenOptions);
        Policy = new PasswordPolicy(Microsoft.Extensions.Options.Options.Create(Options.Passwords));
        OtpHasher = new SignInOtpHasher(ServerSecrets, Protector);
    }

    public HarnessOptions Options { get; } = new();
    public FakeTimeProvider Clock { get; }
    public InMemoryDatabase Database { get; } = new();
    public FakeAccessTokenService AccessTokens { get; }
    public FakeSecretProtector Protector { get; } = new();
    public RecordingMailTransport MailTransport { get; } = new();
    public FakePasswordHasher Hasher { get; } = new();
    public InMemoryPictureStore Pictures { get; } = new();
    public InMemoryRefreshRotationStore Rotations { get; }
    public InMemorySessionStateReader StateReader { get; }
    public InMemorySessionSecretReader SecretReader => new(Database);
    public SessionStateCache StateCache { get; }
    public UserReadCache UserCache { get; }
    public BearerAuthenticator Bearer { get; }
    public SuccessorVault Successors { get; }
    public IPasswordPolicy Policy { get; }
    public InMemoryServerSecretStore ServerSecrets { get; } = new();
    public SignInOtpHasher OtpHasher { get; }

    internal IOptions<TokenOptions> TokenOptions => Microsoft.Extensions.Options.Options.Create(Options.Tokens);

    /// <summary>One request: a new unit of work and the core services over it.</summary>
    public CoreScope Scope() => new(this);

    public AccountService Accounts => Scope().Accounts;
    public SignInService SignIn => Scope().SignIn;
    public SessionService Sessions => Scope().Sessions;
    public CookieSessionService CookieSessions => Scope().CookieSessions;
    public ClientSignInService ClientSignIn => Scope().ClientSignIn;
    public OneTimeTokenService OneTimeTokens => Scope().OneTimeTokens;
    public InvitationService Invitations => Scope().Invitations;
    public SignUpLinkService SignUpLinks => Scope().SignUpLinks;
    public AdminService Admin => Scope().Admin;
    public TeamService Teams => Scope().Teams;
    public PictureService PictureService => Scope().Pictures;
    public ClientQueryService ClientQueries => Scope().ClientQueries;
    public MailDispatcher Dispatcher => Scope().Dispatcher;

    public static RequestContext Native { get; } = new(Surfaces.Native, "203.0.113.7", "tests");

    // ---- intents ----

    /// <summary>Registers an account with a confirmed email (or the given mode) and returns it.</summary>
    public async Task<User> RegisterAsync(string email, string password = Password, string? username = null, RegistrationMode? mode = null)
    {
        var registered = await Accounts.RegisterAsync(new RegistrationRequest { Email = email, Username = username, Password = password },
            mode ?? new RegistrationMode { EmailConfirmed = true, SendConfirmation = false }, Native);
        Assert.True(registered.Succeeded, registered.Error?.ToString());
        return registered.Value.User;
    }

    public async Task<TokenPair> SignInAsync(string login, string password = Password, Client? client = null)
    {
        var signedIn = await SignIn.SignInAsync(login, password, Native, client);
        Assert.True(signedIn.Succeeded, signedIn.Error?.ToString());
        return signedIn.Value.Tokens;
    }

    /// <summary>A registered, signed-in user.</summary>
    public async Task<(User User, TokenPair Tokens)> SignedInUserAsync(string email = "ada@example.com", Client? client = null)
    {
        var user = await RegisterAsync(email);
        return (user, await SignInAsync(email, client: client));
    }

    public async Task<Result<TokenPair>> RefreshAsync(string refreshToken) => await Sessions.RefreshAsync(refreshToken, Native);

    public async Task<Client> CreateClientAsync(string clientId, string secret = "a client secret of some length", bool rotate = true,
        int? accessSeconds = null, int? refreshSeconds = null, int? codeSeconds = null)
    {
        var created = await Admin.CreateClientAsync(new ClientChange
        {
            ClientId = clientId, Secret = secret, RotateRefreshTokens = rotate,
            AccessTokenLifetimeSeconds = accessSeconds, RefreshTokenLifetimeSeconds = refreshSeconds, AuthorizationCodeLifetimeSeconds = codeSeconds,
        }, "usr_admin", Native);
        Assert.True(created.Succeeded, created.Error?.ToString());
        return created.Value;
    }

    // ---- looking at the database ----

    public User? UserRow(string id) => Database.Get<User>(Database.Users, id);

    public Session? SessionRow(string id) => Database.Get<Session>(Database.Sessions, id);

    public List<OutboxMessage> OutboxRows() => Database.Select<OutboxMessage>(Database.Outbox).OrderBy(m => m.Id).ToList();

    public List<AuditEvent> AuditRows(string? type = null) =>
        Database.Select<AuditEvent>(Database.Audit, e => type is null || e.Type == type).OrderBy(e => e.Id).ToList();

    /// <summary>The messages queued for an address, opened as the dispatcher would open them.</summary>
    public List<MailContent> MailTo(string recipient) =>
        OutboxRows().Where(m => m.Recipient == recipient && m.ProtectedBody.Length > 0).Select(m => MailOutbox.Open(m, Protector)).ToList();

    /// <summary>The token in the link of the last message queued for an address.</summary>
    public string TokenMailedTo(string recipient)
    {
        var mail = MailTo(recipient);
        Assert.NotEmpty(mail);
        var match = Regex.Match(mail[^1].TextBody, "token=([^&\\s]+)");
        Assert.True(match.Success, "The message holds no token link: " + mail[^1].TextBody);
        return Uri.UnescapeDataString(match.Groups[1].Value);
    }
}

/// <summary>One request's services, over one unit of work.</summary>
internal sealed class CoreScope
{
    public CoreScope(CoreHarness h)
    {
        UnitOfWork = new FakeUnitOfWork(h.Database);
        Users = new InMemoryUserRepository(UnitOfWork);
        SessionStore = new InMemorySessionRepository(UnitOfWork);
        OneTimeTokenStore = new InMemoryOneTimeTokenRepository(UnitOfWork);
        Outbox = new InMemoryOutboxRepository(UnitOfWork);
        Audit = new InMemoryAuditLog(UnitOfWork);
        Clients = new InMemoryClientRepository(UnitOfWork);
        UserClients = new InMemoryUserClientRepository(UnitOfWork);
        Otps = new InMemorySignInOtpRepository(UnitOfWork);
        TeamStore = new InMemoryTeamRepository(UnitOfWork);
        ClientQueryStore = new InMemoryClientQueryRepository(UnitOfWork);

        var o = h.Options;
        var tokens = h.TokenOptions;
        var links = Options.Create(o.Links);
        var registration = Options.Create(o.Registration);
        OneTimeTokens = new OneTimeTokenService(OneTimeTokenStore, h.Clock, tokens);
        Mail = new MailOutbox(Outbox, h.Protector, h.Clock);
        Sessions = new SessionService(SessionStore, h.Rotations, Users, Clients, UnitOfWork, h.AccessTokens, h.StateCache, h.Successors, Audit, h.Clock, tokens);
        SignIn = new SignInService(Users, UnitOfWork, h.Hasher, Sessions, Audit, h.Clock, Options.Create(o.SignIn));
        Accounts = new AccountService(Users, UnitOfWork, h.Hasher, h.Policy, OneTimeTokens, Mail, Sessions, SignIn, Audit, h.Clock, registration, links, Options.Create(o.MailLimits));
        Admin = new AdminService(Users, Clients, UnitOfWork, Accounts, Sessions, h.Protector, Audit, h.Clock, tokens);
        CookieSessions = new CookieSessionService(SessionStore, h.SecretReader, h.StateCache, Sessions, SignIn, Accounts, Users, UnitOfWork, Audit, h.Clock, tokens);
        ClientSignIn = new ClientSignInService(Clients, Users, h.UserCache, UserClients, Otps, SessionStore, UnitOfWork, h.AccessTokens, OneTimeTokens, SignIn, Sessions, Accounts, Admin, h.OtpHasher, Audit, h.Clock, tokens);
        Invitations = new InvitationService(Users, TeamStore, UnitOfWork, h.Hasher, h.Policy, OneTimeTokens, Mail, Audit, h.Clock, tokens, links);
        SignUpLinks = new SignUpLinkService(Users, UnitOfWork, OneTimeTokens, Accounts, Mail, registration, links);
        Teams = new TeamService(TeamStore, Users, UnitOfWork, Audit, h.Clock);
        Pictures = new PictureService(Users, UnitOfWork, h.Pictures, Audit, h.Clock);
        ClientQueries = new ClientQueryService(Clients, ClientQueryStore, Admin);
        Dispatcher = new MailDispatcher(Outbox, h.MailTransport, h.Protector, h.Clock, NullLogger<MailDispatcher>.Instance);
    }

    public FakeUnitOfWork UnitOfWork { get; }
    public InMemoryUserRepository Users { get; }
    public InMemorySessionRepository SessionStore { get; }
    public InMemoryOneTimeTokenRepository OneTimeTokenStore { get; }
    public InMemoryOutboxRepository Outbox { get; }
    public InMemoryAuditLog Audit { get; }
    public InMemoryClientRepository Clients { get; }
    public InMemoryUserClientRepository UserClients { get; }
    public InMemorySignInOtpRepository Otps { get; }
    public InMemoryTeamRepository TeamStore { get; }
    public InMemoryClientQueryRepository ClientQueryStore { get; }

    public OneTimeTokenService OneTimeTokens { get; }
    public MailOutbox Mail { get; }
    public SessionService Sessions { get; }
    public AccountService Accounts { get; }
    public SignInService SignIn { get; }
    public AdminService Admin { get; }
    public CookieSessionService CookieSessions { get; }
    public ClientSignInService ClientSignIn { get; }
    public InvitationService Invitations { get; }
    public SignUpLinkService SignUpLinks { get; }
    public TeamService Teams { get; }
    public PictureService Pictures { get; }
    public ClientQueryService ClientQueries { get; }
    public MailDispatcher Dispatcher { get; }
}
