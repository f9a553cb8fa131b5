import { environmentSuite } from "./support/environment-suite.js";

environmentSuite("prod");
