package kraken.lua.module;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import kraken.posix.Privileges;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.luaj.vm2.LuaValue;

@Tag("unit")
@Timeout(10)
class UsersTest {
    private static final Privileges.User ROOT = new Privileges.User("root", 0, 0, new int[] {0});
    private static final Privileges.User ALICE = new Privileges.User("alice", 1000, 1000, new int[] {1000});
    private static final Privileges.User BOB = new Privileges.User("bob", 1001, 1001, new int[] {1001});

    /** A password database of three users. */
    private static final Users.Lookup DB = new Users.Lookup() {
        @Override
        public Privileges.User byName(String name) {
            return List.of(ROOT, ALICE, BOB).stream().filter(u -> u.name().equals(name)).findFirst().orElse(null);
        }

        @Override
        public Privileges.User byUid(int uid) {
            return List.of(ROOT, ALICE, BOB).stream().filter(u -> u.uid() == uid).findFirst().orElse(null);
        }
    };

    private static String choose(Object who, int masterUid, boolean allowRoot) {
        LuaValue v = who instanceof String s ? LuaValue.valueOf(s) : LuaValue.valueOf(((Number) who).doubleValue());
        return Users.choose(v, masterUid, allowRoot, DB);
    }

    private static String refusal(Object who, int masterUid, boolean allowRoot) {
        return assertThrows(IllegalArgumentException.class, () -> choose(who, masterUid, allowRoot)).getMessage();
    }

    @Test
    void aRootMasterMayNameAnyUserByNameOrUid() {
        assertEquals("alice", choose("alice", 0, false));
        assertEquals("bob", choose(1001, 0, false));
        assertEquals("bob", choose("1001", 0, false), "an all-digit name that is no user is a uid");
    }

    @Test
    void aUidWithoutAnEntryIsRegisteredAsItsNumber() {
        assertEquals("4242", choose(4242, 0, false));
        assertEquals("4242", choose("4242", 0, false));
    }

    @Test
    void rootIsRefusedUnlessTheConfigurationAllowsIt() {
        assertTrue(refusal("root", 0, false).contains("kraken.allow_root"));
        assertTrue(refusal(0, 0, false).contains("as root"));
        assertEquals("root", choose("root", 0, true));
        assertEquals("root", choose(0, 0, true));
    }

    @Test
    void aMasterThatIsNotRootMayOnlyNameItsOwnUser() {
        assertEquals("alice", choose("alice", 1000, false));
        assertEquals("alice", choose(1000, 1000, false));
        assertTrue(refusal("bob", 1000, false).contains("only root can switch"));
        assertTrue(refusal(4242, 1000, false).contains("only root can switch"));
        refusal("root", 1000, true);
    }

    @Test
    void unknownNamesAndImpossibleUidsAreRefused() {
        assertEquals("no such user: carol", refusal("carol", 0, false));
        assertEquals("no such user: ", refusal("", 0, false));
        assertTrue(refusal(-1, 0, false).startsWith("invalid uid"));
        assertTrue(refusal(1.5, 0, false).startsWith("invalid uid"));
        assertTrue(refusal(4294967295.0, 0, false).startsWith("invalid uid"));
        assertTrue(refusal("99999999999", 0, false).startsWith("no such user"));
    }
}
