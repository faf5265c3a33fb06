using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

// The stock ASP.NET Core Identity API, as a team would start it: MapIdentityApi over EF Core
// and SQLite, default options. Gatehouse's benchmark drives its /register, /login, /refresh
// and /manage/info with the same workloads it runs against Gatehouse.
var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
var dataDirectory = builder.Configuration["DataDirectory"] ?? "./peer-data";
Directory.CreateDirectory(dataDirectory);
builder.Services.AddDbContext<PeerDbContext>(o => o.UseSqlite($"Data Source={Path.Combine(dataDirectory, "peer.db")}"));
builder.Services.AddAuthorization();
builder.Services.AddIdentityApiEndpoints<IdentityUser>().AddEntityFrameworkStores<PeerDbContext>();

var app = builder.Build();
using (var scope = app.Services.CreateScope())
{
    var db = scope.ServiceProvider.GetRequiredService<PeerDbContext>();
    db.Database.EnsureCreated();
    db.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
}
app.MapIdentityApi<IdentityUser>();
app.MapGet("/health", () => "ok");
app.Run();

internal sealed class PeerDbContext(DbContextOptions<PeerDbContext> options) : IdentityDbContext<IdentityUser>(options);
